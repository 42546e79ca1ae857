// `kube-csr-login setup`: builds the setup use case's deps at the edge (files, stdin, kubeconfig
// paths, the command kubectl will run) and prints what was set up.
import path from 'node:path';
import { KclError, describe } from '../../errors.js';
import { clearBackoff } from '../../cache/backoff.js';
import { profileCacheFiles } from '../../cache/layout.js';
import { getCredential } from '../../credential/get-credential.js';
import { checkToken, readCertificateAuthority } from '../../credential/identity.js';
import { createApiClient } from '../../kube/http.js';
import { proxyEnvironment } from '../../kube/proxy-env.js';
import { checkProxyUrl } from '../../kube/proxy.js';
import { checkServerUrl } from '../../kube/server-url.js';
import { kubeconfigFiles } from '../../kubeconfig/paths.js';
import { validateProfileName } from '../../profile/profile.js';
import { type LoginInput, parseLoginBundle } from '../../setup/login-input.js';
import { type SetupOutcome, setup } from '../../setup/setup.js';
import { type TokenInputFile, readTokenInput } from '../../setup/token-copy.js';
import { certificateClient, readExecCredential, verifyLogin } from '../../setup/verify-login.js';
import { inputBounds } from '../../util/bounded-read.js';
import { type TokenStorage, isTokenStorage } from '../../token/token-source.js';
import { expiresSoon, jwtExpiry } from '../../token/jwt-expiry.js';
import { rfc3339Seconds } from '../../util/time.js';
import { type Edge, dirs } from '../edge.js';
import { parseDurationSeconds, parseFlags, parseGroups } from '../parse-values.js';
import { askYesNo } from '../prompt.js';
import { terminalTokenDeps } from '../token-deps.js';
import { credentialDeps } from './get-credential.js';
import { runRefreshCa } from './refresh-ca.js';

const options = {
  bundle: { type: 'string' },
  server: { type: 'string' },
  'certificate-authority': { type: 'string' },
  'token-file': { type: 'string' },
  'tls-server-name': { type: 'string' },
  'proxy-url': { type: 'string' },
  profile: { type: 'string' },
  kubeconfig: { type: 'string' },
  'cluster-name': { type: 'string' },
  'context-name': { type: 'string' },
  namespace: { type: 'string' },
  'use-context': { type: 'boolean' },
  groups: { type: 'string' },
  timeout: { type: 'string' },
  'token-storage': { type: 'string' },
  expiration: { type: 'string' },
  'remove-token-copy': { type: 'boolean' },
  'refresh-ca': { type: 'boolean' },
} as const;

export const installHint =
  'kube-csr-login is needed to log in to this cluster: npm install -g kube-csr-login, then run kube-csr-login setup';

export async function run(args: string[], edge: Edge): Promise<void> {
  const { values } = parseFlags({ args, options, allowNegative: true });
  if (values['refresh-ca']) return runRefreshCa(values, edge);
  const profile = validateProfileName(values.profile ?? 'default');
  const { login, tokenInput } = await loginInput(values, edge);
  const waitTimeoutSeconds = parseDurationSeconds('--timeout', values.timeout ?? '2m');
  const tokenStorage = parseTokenStorage(values['token-storage']);
  const expirationSeconds = values.expiration === undefined ? undefined : parseDurationSeconds('--expiration', values.expiration);
  const tokens = terminalTokenDeps(edge, profile);
  const resolved = await dirs(edge);
  const proxyEnv = proxyEnvironment(edge.env);
  const files = kubeconfigFiles({ explicit: values.kubeconfig, env: edge.env.KUBECONFIG, home: edge.home }).map((f) => path.resolve(f));
  const outcome = await setup(
    {
      configDir: resolved.configDir,
      kubeconfigFiles: files,
      exec: { command: edge.invocation.stanza.command, leadingArgs: edge.invocation.stanza.args, node: edge.invocation.stanza.node },
      installHint,
      openTokenApi: (connection, token) => createApiClient(connection, token, proxyEnv),
      tokens,
      progress: (message) => edge.stderr(`kube-csr-login: ${message}\n`),
      confirm: (question) => askYesNo(`kube-csr-login: ${question}`, edge.stdinIsTerminal),
      firstLogin: async (name, connection) => {
        // an explicit setup retries now, even right after a denial or a 403 (back-off is for kubectl)
        await clearBackoff(profileCacheFiles(resolved.cacheDir, name).backoff);
        let printed = '';
        const deps = { ...credentialDeps(edge, resolved, name, ['--profile', name], (text) => (printed += text)), tokens };
        const args = ['get-credential', '--profile', name];
        await getCredential(deps, { flags: { profile: name, waitTimeoutSeconds }, args, background: false, interactive: true });
        const credential = readExecCredential(printed);
        return verifyLogin(certificateClient(connection, credential, proxyEnv), credential);
      },
    },
    {
      profile,
      login,
      useContext: values['use-context'] === true,
      ...(tokenInput === undefined ? {} : { tokenInput }),
      ...(values['remove-token-copy'] === undefined ? {} : { removeTokenCopy: values['remove-token-copy'] }),
      ...(tokenStorage === undefined ? {} : { tokenStorage }),
      ...(expirationSeconds === undefined ? {} : { expirationSeconds }),
      ...(values.groups === undefined ? {} : { groups: parseGroups(values.groups) }),
      ...(values['cluster-name'] === undefined ? {} : { clusterName: values['cluster-name'] }),
      ...(values['context-name'] === undefined ? {} : { contextName: values['context-name'] }),
      ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
    },
  );
  edge.stdout(summary(outcome, files[0] ?? '', jwtExpiry(login.token), edge.now()));
}

function parseTokenStorage(value: string | undefined): TokenStorage | undefined {
  if (value === undefined || isTokenStorage(value)) return value;
  throw new KclError('usage', `--token-storage must be file, keyring or passphrase, not "${value.slice(0, 20)}"`);
}

const storedIn: Record<TokenStorage, string> = {
  file: 'a file readable only by you (plain text)',
  keyring: 'the OS keyring',
  passphrase: 'a file encrypted with your passphrase',
};

type Values = {
  bundle?: string;
  server?: string;
  'certificate-authority'?: string;
  'token-file'?: string;
  'tls-server-name'?: string;
  'proxy-url'?: string;
};

/** The bundle or the flags; --tls-server-name and --proxy-url override the bundle's. */
async function loginInput(values: Values, edge: Edge): Promise<{ login: LoginInput; tokenInput?: TokenInputFile }> {
  const read = await serverAndToken(values, edge);
  const { login } = read;
  if (values['tls-server-name']) login.tlsServerName = values['tls-server-name'];
  if (values['proxy-url']) {
    checkProxyUrl(values['proxy-url'], '--proxy-url');
    login.proxyUrl = values['proxy-url'];
  }
  return read;
}

async function serverAndToken(values: Values, edge: Edge): Promise<{ login: LoginInput; tokenInput?: TokenInputFile }> {
  if (values.bundle !== undefined) {
    if (values.server ?? values['certificate-authority'] ?? values['token-file']) {
      throw new KclError(
        'usage',
        '--bundle already holds the server, CA and token: drop --server, --certificate-authority and --token-file',
      );
    }
    const { text, input } = await readTokenInput(values.bundle, 'bundle');
    return { login: parseLoginBundle(text, values.bundle), tokenInput: input };
  }
  if (!values.server || !values['certificate-authority']) {
    throw new KclError(
      'usage',
      'give --bundle FILE, or --server URL and --certificate-authority FILE with --token-file FILE (or the token on stdin)',
    );
  }
  try {
    checkServerUrl(values.server, '--server');
  } catch (error) {
    throw new KclError('usage', describe(error));
  }
  const certificateAuthorityPem = await readCertificateAuthority(values['certificate-authority']);
  const file = values['token-file'];
  if (file !== undefined) {
    const { text, input } = await readTokenInput(file, 'token-file');
    const token = checkToken(text, `the token file ${file}`);
    return { login: { server: values.server, certificateAuthorityPem, token }, tokenInput: input };
  }
  if (edge.stdinIsTerminal)
    throw new KclError('usage', 'no token: pass --token-file FILE or pipe the token on stdin (never on the command line)');
  return { login: { server: values.server, certificateAuthorityPem, token: checkToken(await edge.readStdin(inputBounds.token), 'stdin') } };
}

function summary(outcome: SetupOutcome, kubeconfigFile: string, tokenExpiresAt: Date | undefined, now: Date): string {
  const { kubeconfig, login } = outcome;
  const groups = login.groups.filter((group) => !group.startsWith('system:')).sort();
  const lines = [
    `Logged in to ${kubeconfig.cluster} as ${login.username}${groups.length ? ` (groups: ${groups.join(', ')})` : ''}, certificate valid until ${rfc3339Seconds(login.notAfter)}.`,
    `kubeconfig ${kubeconfigFile}: context ${kubeconfig.context} (user ${kubeconfig.user}, cluster ${kubeconfig.cluster}); profile "${outcome.profile}".`,
    `The long-term token is kept in ${storedIn[outcome.tokenStorage]}${tokenExpiresAt ? ` and expires at ${rfc3339Seconds(tokenExpiresAt)}` : ''}.`,
  ];
  if (outcome.plainTextCopy !== undefined) lines.push(`Warning: ${outcome.plainTextCopy} still holds the token in plain text.`);
  if (expiresSoon(tokenExpiresAt, now)) lines.push('Warning: the token expires within 7 days: ask your admin for a new login bundle.');
  lines.push(`Try: kubectl --context ${kubeconfig.context} auth whoami`, '');
  return lines.join('\n');
}
