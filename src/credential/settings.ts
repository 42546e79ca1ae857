// Everything get-credential needs, resolved once from the flags (which override) and the profile
// written by setup. The long-term token goes only to the server and CA recorded there (or given
// explicitly by flags): never to the cluster KUBERNETES_EXEC_INFO names, which is whatever kubectl
// was pointed at (`--server`, another context), and never without TLS verification.
import { KclError, describe } from '../errors.js';
import { checkServerUrl } from '../kube/server-url.js';
import type { Connection } from '../kube/connection.js';
import type { ClusterInfo, ExecApiVersion, ExecInfo } from '../exec/exec-info.js';
import { defaultKeyAlgorithm, type KeyAlgorithm } from '../pki/key-algorithm.js';
import type { Profile } from '../profile/profile.js';
import { type TokenSource, defaultExpirationSeconds, resolveTokenSource } from '../token/token-source.js';

/** Flags override the profile field by field; the CA flag names a file, like the profile's. */
export type CredentialFlags = Omit<Profile, 'certificateAuthorityFile' | 'kubeconfig' | 'tokenStore'> & {
  profile: string;
  certificateAuthority?: string;
};

export interface Settings {
  profile: string;
  connection: Connection;
  token: TokenSource;
  user: string;
  groups: string[];
  apiVersion: ExecApiVersion;
  interactive: boolean;
  keyAlgorithm: KeyAlgorithm;
  expirationSeconds: number;
  renewWindow: [number, number];
  waitTimeoutMs: number;
  /** Past the deadline, how soon a long-running client is told to ask again. */
  recheckMs: number;
  csrName: string;
}

/** spec.expirationSeconds is an int32. */
const maxInt32 = 2 ** 31 - 1;

const defaults = {
  apiVersion: 'client.authentication.k8s.io/v1' as ExecApiVersion,
  expirationSeconds: 3600,
  minimumExpirationSeconds: 600,
  renewWindow: [0.7, 0.9] as [number, number],
  waitTimeoutSeconds: 300,
  recheckSeconds: 60,
};

export function resolveSettings(flags: CredentialFlags, profile: Profile | undefined, execInfo: ExecInfo | undefined): Settings {
  const p = profile ?? {};
  const user = flags.user ?? p.user;
  const token = resolveTokenSource(flags.tokenFile, p);
  const server = flags.server ?? p.server;
  const caFile = flags.certificateAuthority ?? p.certificateAuthorityFile;
  const missing = [!user && '--user', !token && '--token-file', !server && '--server', !caFile && '--certificate-authority'].filter(
    Boolean,
  );
  if (missing.length > 0 || !user || !token || !server || !caFile) {
    const hint = profile
      ? ''
      : ` (no profile "${flags.profile}": pass the flags; the token goes only to the --server and --certificate-authority given here, never to the cluster kubectl names, see kube-csr-login get-credential --help)`;
    throw new KclError('config', `missing ${missing.join(', ')}${hint}`);
  }
  const connection = resolveConnection(flags, p, { server, caFile }, execInfo?.cluster);
  const expirationSeconds = flags.expirationSeconds ?? p.expirationSeconds ?? defaultExpirationSeconds(token, defaults.expirationSeconds);
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < defaults.minimumExpirationSeconds || expirationSeconds > maxInt32) {
    throw new KclError('usage', `expiration must be between ${defaults.minimumExpirationSeconds} seconds and about 68 years`);
  }
  const renewWindow = flags.renewWindow ?? p.renewWindow ?? defaults.renewWindow;
  if (!(renewWindow[0] > 0 && renewWindow[0] <= renewWindow[1] && renewWindow[1] < 1)) {
    throw new KclError('usage', 'renew window must satisfy 0 < min <= max < 100 %');
  }
  const recheckSeconds = flags.recheckSeconds ?? p.recheckSeconds ?? defaults.recheckSeconds;
  if (!Number.isInteger(recheckSeconds) || recheckSeconds < 1 || recheckSeconds > 3600) {
    throw new KclError('usage', 'recheckSeconds must be a whole number of seconds between 1 and 3600');
  }
  const groups = [...new Set(flags.groups ?? p.groups ?? [])].sort();
  return {
    profile: flags.profile,
    connection,
    token,
    user,
    groups,
    apiVersion: execInfo?.apiVersion ?? flags.apiVersion ?? p.apiVersion ?? defaults.apiVersion,
    interactive: execInfo?.interactive ?? false,
    keyAlgorithm: flags.keyAlgorithm ?? p.keyAlgorithm ?? defaultKeyAlgorithm,
    expirationSeconds,
    renewWindow,
    waitTimeoutMs: 1000 * (flags.waitTimeoutSeconds ?? p.waitTimeoutSeconds ?? defaults.waitTimeoutSeconds),
    recheckMs: 1000 * recheckSeconds,
    csrName: flags.csrName ?? p.csrName ?? `user=${user}`,
  };
}

/**
 * The recorded server and CA, whatever kubectl targets. kubectl's cluster only lends its proxy-url,
 * and only when it is this same server: a proxy relays TLS it cannot read, so it changes nothing
 * about where the token may go. The cache identity hangs on this connection only, so a kubectl
 * pointed elsewhere is served the recorded cluster's certificate and never splits or spoils the cache.
 */
function resolveConnection(
  flags: CredentialFlags,
  p: Profile,
  target: { server: string; caFile: string },
  cluster: ClusterInfo | undefined,
): Connection {
  const { server, caFile } = target;
  try {
    checkServerUrl(server, flags.server ? '--server' : 'the profile server');
  } catch (error) {
    throw new KclError('usage', describe(error));
  }
  const connection: Connection = { server, certificateAuthorityFile: caFile };
  const tlsServerName = flags.tlsServerName ?? p.tlsServerName;
  if (tlsServerName) connection.tlsServerName = tlsServerName;
  const kubectlProxy = cluster !== undefined && sameServer(cluster.server, server) ? cluster.proxyUrl : undefined;
  const proxyUrl = flags.proxyUrl ?? kubectlProxy ?? p.proxyUrl;
  if (proxyUrl) connection.proxyUrl = proxyUrl;
  return connection;
}

export function sameServer(a: string, b: string): boolean {
  const normal = (url: string) => new URL(url).href.replace(/\/$/, '');
  return normal(a) === normal(b);
}
