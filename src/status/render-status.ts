// status output: an aligned block per profile for people, one JSON document for scripts. Times are
// UTC (RFC 3339, whole seconds) plus a relative hint; text read from files is made printable.
import type { CertificateState } from './cached-certificate.js';
import type { ProfileStatus, TokenStatus } from './collect-status.js';
import { relativeTime, rfc3339Seconds } from '../util/time.js';

const noProfilesText = 'no profiles: run kube-csr-login setup\n';

export function renderStatusJson(statuses: readonly ProfileStatus[]): string {
  const profiles = statuses.map((s) => ({
    name: s.name,
    server: s.server ?? null,
    context: s.context ?? null,
    user: s.user ?? null,
    groups: s.groups,
    token: s.token
      ? {
          storage: s.token.storage,
          expiresAt: s.token.expiresAt ? rfc3339Seconds(s.token.expiresAt) : null,
          expiresSoon: s.token.expiresSoon,
        }
      : null,
    certificate: s.certificate
      ? {
          subject: { user: s.certificate.subject.user ?? null, groups: s.certificate.subject.groups },
          credentialId: s.certificate.credentialId ?? null,
          notBefore: rfc3339Seconds(s.certificate.notBefore),
          notAfter: rfc3339Seconds(s.certificate.notAfter),
          renewAt: rfc3339Seconds(s.certificate.renewAt),
          state: s.certificate.state,
        }
      : null,
    plainTextCopies: s.plainTextCopies,
    ...(s.reason === undefined ? {} : { reason: s.reason }),
    ...(s.backoff === undefined
      ? {}
      : { backoff: { code: s.backoff.code, message: s.backoff.message, until: rfc3339Seconds(s.backoff.until) } }),
    ...(s.servingCa === undefined
      ? {}
      : { servingCa: { state: s.servingCa.state, message: s.servingCa.message, checkedAt: rfc3339Seconds(s.servingCa.checkedAt) } }),
    ...(s.profileError === undefined ? {} : { profileError: s.profileError }),
    ...(s.runtimeProblem === undefined ? {} : { runtimeProblem: s.runtimeProblem }),
  }));
  return `${JSON.stringify({ profiles }, null, 2)}\n`;
}

const stateText: Record<CertificateState, string> = {
  valid: 'valid',
  renewing: 'renewing soon (past its renewal point)',
  expired: 'expired',
};

export function renderStatusText(statuses: readonly ProfileStatus[], now: Date): string {
  if (statuses.length === 0) return noProfilesText;
  return statuses.map((s) => renderBlock(s, now)).join('\n');
}

function renderBlock(s: ProfileStatus, now: Date): string {
  const rows: [string, string][] = [];
  if (s.profileError !== undefined) rows.push(['profile', `unreadable: ${s.profileError}`]);
  else if (!s.hasProfile) rows.push(['profile', 'none (cached state only)']);
  rows.push(['server', s.server ?? '-'], ['context', s.context ?? '-'], ['user', s.user ?? '-']);
  rows.push(['groups', s.groups.length > 0 ? s.groups.join(', ') : '-']);
  if (s.token !== undefined) rows.push(['token', tokenText(s.token, now)]);
  for (const file of s.plainTextCopies) rows.push(['token copy', copyText(file, s.token)]);
  const cert = s.certificate;
  if (cert === undefined) {
    rows.push(['certificate', `no valid certificate (${s.reason ?? 'unknown'})`]);
  } else {
    const subject = [`CN=${cert.subject.user ?? ''}`, ...cert.subject.groups.map((group) => `O=${group}`)].join(', ');
    rows.push(['certificate', stateText[cert.state]], ['subject', subject]);
    rows.push(['credential', cert.credentialId ?? '-']);
    rows.push(['not before', rfc3339Seconds(cert.notBefore)]);
    rows.push(['not after', `${rfc3339Seconds(cert.notAfter)} (${relativeTime(cert.notAfter, now, 'expires in', 'expired')})`]);
    rows.push(['renew at', `${rfc3339Seconds(cert.renewAt)} (${relativeTime(cert.renewAt, now, 'in', 'due since')})`]);
  }
  if (s.backoff !== undefined) {
    const until = `${rfc3339Seconds(s.backoff.until)} (${relativeTime(s.backoff.until, now, 'in', 'since')})`;
    rows.push(['back-off', `last renewal failed: ${s.backoff.message}, next try after ${until}`]);
  }
  if (s.runtimeProblem !== undefined) rows.push(['runtime', `WARNING: ${s.runtimeProblem}`]);
  if (s.servingCa !== undefined) {
    const checked = relativeTime(s.servingCa.checkedAt, now, 'in', 'checked');
    rows.push(['serving CA', `${s.servingCa.state === 'current' ? '' : 'WARNING: '}${s.servingCa.message} (${checked})`]);
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return `${printable(s.name)}\n${rows.map(([label, value]) => `  ${label.padEnd(width)}${printable(value)}\n`).join('')}`;
}

const storageText = { file: 'file (plain text, 0600)', keyring: 'OS keyring', passphrase: 'encrypted with a passphrase' } as const;

function tokenText(token: TokenStatus, now: Date): string {
  const where = storageText[token.storage];
  if (token.expiresAt === undefined) return `${where}, no expiry`;
  const when = `${rfc3339Seconds(token.expiresAt)} (${relativeTime(token.expiresAt, now, 'in', 'expired')})`;
  return `${where}, expires ${when}${token.expiresSoon ? ' WARNING: ask your admin for a new login bundle' : ''}`;
}

function copyText(file: string, token: TokenStatus | undefined): string {
  const copy = token?.storage === 'file' ? 'a second plain-text copy of the token' : 'the token in plain text';
  return `WARNING: ${file} still holds ${copy}: delete it (or run setup again with --remove-token-copy)`;
}

/** Profile files and back-off messages are local but not trusted: no escape sequences to the terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}
