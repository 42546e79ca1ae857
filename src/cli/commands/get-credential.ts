// `kube-csr-login get-credential`: the command in users[].user.exec. Builds the deps at the edge.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { releaseClaim } from '../../cache/claim.js';
import { profileCacheFiles } from '../../cache/layout.js';
import type { CredentialDeps } from '../../credential/deps.js';
import { getCredential } from '../../credential/get-credential.js';
import type { CredentialFlags } from '../../credential/settings.js';
import type { Connection } from '../../kube/connection.js';
import { validateProfileName } from '../../profile/profile.js';
import type { Dirs } from '../dirs.js';
import { type Edge, dirs } from '../edge.js';
import { askSecret } from '../prompt.js';
import { parseApiVersion, parseDurationSeconds, parseFlags, parseGroups, parseKeyAlgorithm, parseRenewWindow } from '../parse-values.js';

export const options = {
  profile: { type: 'string' },
  server: { type: 'string' },
  'certificate-authority': { type: 'string' },
  'tls-server-name': { type: 'string' },
  'proxy-url': { type: 'string' },
  'token-file': { type: 'string' },
  user: { type: 'string' },
  groups: { type: 'string' },
  'api-version': { type: 'string' },
  'key-algorithm': { type: 'string' },
  expiration: { type: 'string' },
  'renew-window': { type: 'string' },
  timeout: { type: 'string' },
  'csr-name': { type: 'string' },
  background: { type: 'boolean' },
} as const;

export function parseCredentialFlags(args: string[]): { flags: CredentialFlags; background: boolean } {
  const { values } = parseFlags({ args, options });
  const flags: CredentialFlags = { profile: validateProfileName(values.profile ?? 'default') };
  if (values.server !== undefined) flags.server = values.server;
  if (values['certificate-authority'] !== undefined) flags.certificateAuthority = values['certificate-authority'];
  if (values['tls-server-name'] !== undefined) flags.tlsServerName = values['tls-server-name'];
  if (values['proxy-url'] !== undefined) flags.proxyUrl = values['proxy-url'];
  if (values['token-file'] !== undefined) flags.tokenFile = values['token-file'];
  if (values.user !== undefined) flags.user = values.user;
  if (values.groups !== undefined) flags.groups = parseGroups(values.groups);
  if (values['api-version'] !== undefined) flags.apiVersion = parseApiVersion(values['api-version']);
  if (values['key-algorithm'] !== undefined) flags.keyAlgorithm = parseKeyAlgorithm(values['key-algorithm']);
  if (values.expiration !== undefined) flags.expirationSeconds = parseDurationSeconds('--expiration', values.expiration);
  if (values['renew-window'] !== undefined) flags.renewWindow = parseRenewWindow(values['renew-window']);
  if (values.timeout !== undefined) flags.waitTimeoutSeconds = parseDurationSeconds('--timeout', values.timeout);
  if (values['csr-name'] !== undefined) flags.csrName = values['csr-name'];
  return { flags, background: values.background === true };
}

export async function run(args: string[], edge: Edge): Promise<void> {
  try {
    const { flags, background } = parseCredentialFlags(args);
    const resolved = await dirs(edge);
    const base = credentialDeps(edge, resolved, flags.profile, args, background ? () => undefined : edge.stdout);
    const deps = { ...base, log: { ...base.log, warn: quietWarn(edge, resolved.cacheDir, flags.profile) } };
    await getCredential(deps, { flags, args: ['get-credential', ...args], background });
  } finally {
    // after the fast path file is written: the launchers waiting on the claim serve it next
    await releaseClaim(edge.env.KUBE_CSR_LOGIN_CLAIM, edge.pid);
  }
}

/**
 * A warning of get-credential (e.g. a cache directory found open and closed) must not reach a
 * stderr that is not a terminal: fabric8 and others parse it together with the credential, so a
 * success must be silent there. A person (a terminal, or verbose on) sees it; otherwise it goes to
 * the profile's background.log. setup, status and login keep warning on stderr.
 */
function quietWarn(edge: Edge, cacheDir: string, profile: string): (message: string) => void {
  if (edge.stderrIsTerminal || edge.verbose) return (message) => edge.stderr(`${message}\n`);
  return (message) => {
    try {
      const log = openBackgroundLog(cacheDir, profile);
      writeSync(log, `${edge.now().toISOString()} ${message}\n`);
      closeSync(log);
    } catch {
      // a log we cannot append to (a planted link, discarded next): the warning is dropped, never put on stderr
    }
  };
}

/** Appended to, never through a planted link. */
function openBackgroundLog(cacheDir: string, profile: string): number {
  const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW } = constants;
  return openSync(profileCacheFiles(cacheDir, profile).backgroundLog, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600);
}

/** The deps of get-credential; `args` are what a background renewal is started with. */
export function credentialDeps(
  edge: Edge,
  { cacheDir, configDir }: Dirs,
  profile: string,
  args: string[],
  stdout: (text: string) => void,
): CredentialDeps {
  return {
    now: edge.now,
    random: edge.random,
    sleep: edge.sleep,
    cacheDir,
    configDir,
    uid: edge.uid,
    execInfoRaw: edge.env.KUBERNETES_EXEC_INFO,
    stderrIsTerminal: edge.stderrIsTerminal,
    stdout,
    log: {
      verbose: (message) => edge.verbose && edge.stderr(`kube-csr-login: ${message}\n`),
      warn: (message) => edge.stderr(`${message}\n`),
    },
    openCsrApi: async (connection, token, remainingMs) => {
      const [{ createApiClient }, { csrApi }, { proxyEnvironment }] = await Promise.all([
        import('../../kube/http.js'),
        import('../../kube/csr-api.js'),
        import('../../kube/proxy-env.js'),
      ]);
      return csrApi(createApiClient(connection, token, proxyEnvironment(edge.env)), remainingMs);
    },
    dailyCaCheck: async (input) => {
      const [{ dailyCaCheck }, { createApiClient }, { proxyEnvironment }] = await Promise.all([
        import('../../trustbundle/daily-check.js'),
        import('../../kube/http.js'),
        import('../../kube/proxy-env.js'),
      ]);
      const openTokenApi = async (connection: Connection, token: string) => createApiClient(connection, token, proxyEnvironment(edge.env));
      return dailyCaCheck({ now: edge.now, openTokenApi }, input);
    },
    tokens: {
      platform: edge.platform,
      // client-go lends its stdin to an interactive plugin; get-credential asks only then
      ...(edge.stdinIsTerminal ? { askPassphrase: (prompt: string) => askSecret(prompt, 'stdin', true) } : {}),
      warn: (message) => edge.stderr(`${message}\n`),
      sleep: (ms) => edge.sleep(ms),
    },
    lock: async (dir, lockPath, waitMs) => (await import('../../cache/lock.js')).acquireLock(dir, lockPath, waitMs),
    startBackgroundRenewal: async () => {
      const { spawn } = await import('node:child_process');
      const log = openBackgroundLog(cacheDir, profile);
      // the mark of a start, left before the child runs: "no renewal started" needs no waiting
      writeSync(log, `${edge.now().toISOString()} background renewal started\n`);
      const child = spawn(edge.invocation.self.command, [...edge.invocation.self.args, 'get-credential', ...args, '--background'], {
        detached: true,
        stdio: ['ignore', 'ignore', log],
        env: { ...edge.env, KUBE_CSR_LOGIN_CLAIM: undefined },
      });
      child.unref();
    },
  };
}
