// status output: an aligned block per profile for people, one JSON document for scripts. Times are
// UTC (RFC 3339, whole seconds) plus a relative hint; text read from files is made printable.
import type { CertificateState } from './cached-certificate.js';
import type { ProfileStatus, TokenStatus } from './collect-status.js';

export const noProfilesText = 'no profiles: run kube-csr-login setup\n';

export function renderStatusJson(statuses: readonly ProfileStatus[]): string {
  const profiles = statuses.map((s) => ({
    name: s.name,
    server: s.server ?? null,
    context: s.context ?? null,
    user: s.user ?? null,
    groups: s.groups,
    token: s.token ? { storage: s.token.storage, expiresAt: s.token.expiresAt ? timestamp(s.token.expiresAt) : null, expiresSoon: s.token.expiresSoon } : null,
    certificate: s.certificate
      ? {
          subject: { user: s.certificate.subject.user ?? null, groups: s.certificate.subject.groups },
          notBefore: timestamp(s.certificate.notBefore),
          notAfter: timestamp(s.certificate.notAfter),
          renewAt: timestamp(s.certificate.renewAt),
          state: s.certificate.state,
        }
      : null,
    ...(s.reason === undefined ? {} : { reason: s.reason }),
    ...(s.backoff === undefined ? {} : { backoff: { code: s.backoff.code, message: s.backoff.message, until: timestamp(s.backoff.until) } }),
    ...(s.profileError === undefined ? {} : { profileError: s.profileError }),
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
  const cert = s.certificate;
  if (cert === undefined) {
    rows.push(['certificate', `no valid certificate (${s.reason ?? 'unknown'})`]);
  } else {
    const subject = [`CN=${cert.subject.user ?? ''}`, ...cert.subject.groups.map((group) => `O=${group}`)].join(', ');
    rows.push(['certificate', stateText[cert.state]], ['subject', subject]);
    rows.push(['not before', timestamp(cert.notBefore)]);
    rows.push(['not after', `${timestamp(cert.notAfter)} (${relative(cert.notAfter, now, 'expires in', 'expired')})`]);
    rows.push(['renew at', `${timestamp(cert.renewAt)} (${relative(cert.renewAt, now, 'in', 'due since')})`]);
  }
  if (s.backoff !== undefined) {
    const until = `${timestamp(s.backoff.until)} (${relative(s.backoff.until, now, 'in', 'since')})`;
    rows.push(['back-off', `last renewal failed: ${s.backoff.message}, next try after ${until}`]);
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return `${printable(s.name)}\n${rows.map(([label, value]) => `  ${label.padEnd(width)}${printable(value)}\n`).join('')}`;
}

const storageText = { file: 'file (plain text, 0600)', keyring: 'OS keyring', passphrase: 'encrypted with a passphrase' } as const;

function tokenText(token: TokenStatus, now: Date): string {
  const where = storageText[token.storage];
  if (token.expiresAt === undefined) return `${where}, no expiry`;
  const when = `${timestamp(token.expiresAt)} (${relative(token.expiresAt, now, 'in', 'expired')})`;
  return `${where}, expires ${when}${token.expiresSoon ? ' WARNING: ask your admin for a new login bundle' : ''}`;
}

/** "in 41m" / "expired 3h ago". */
function relative(at: Date, now: Date, future: string, past: string): string {
  const ms = at.getTime() - now.getTime();
  return ms > 0 ? `${future} ${formatDuration(ms)}` : `${past} ${formatDuration(-ms)} ago`;
}

/** The two largest units, rounded down; seconds only under a minute: 45s, 41m, 3h, 3h 5m, 2d 4h. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const units: [string, number][] = [
    ['d', Math.floor(seconds / 86_400)],
    ['h', Math.floor(seconds / 3600) % 24],
    ['m', Math.floor(seconds / 60) % 60],
  ];
  const first = units.findIndex(([, value]) => value > 0);
  return units
    .slice(first, first + 2)
    .filter(([, value]) => value > 0)
    .map(([unit, value]) => `${value}${unit}`)
    .join(' ');
}

export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Profile files and back-off messages are local but not trusted: no escape sequences to the terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}
