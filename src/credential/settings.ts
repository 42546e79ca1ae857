// Everything get-credential needs, resolved once from (in order of precedence) the flags, the
// cluster in KUBERNETES_EXEC_INFO, and the profile written by setup.
import { KclError, describe } from '../errors.js';
import { checkServerUrl } from '../kube/server-url.js';
import type { ClusterInfo, ExecApiVersion, ExecInfo } from '../exec/exec-info.js';
import { defaultKeyAlgorithm, type KeyAlgorithm } from '../pki/key-algorithm.js';
import type { Profile } from '../profile/profile.js';
import { type TokenSource, defaultExpirationSeconds, resolveTokenSource } from '../token/token-source.js';

/** Flags override the profile field by field; the CA flag names a file, like the profile's. */
export type CredentialFlags = Omit<Profile, 'certificateAuthorityFile' | 'tlsServerName' | 'insecureSkipTlsVerify' | 'tokenStore'> & {
  profile: string;
  certificateAuthority?: string;
};

export interface Connection {
  server: string;
  certificateAuthorityPem?: string;
  /** Set when the CA comes from a file rather than from KUBERNETES_EXEC_INFO. */
  certificateAuthorityFile?: string;
  tlsServerName?: string;
  proxyUrl?: string;
  insecureSkipTlsVerify: boolean;
}

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
  csrName: string;
}

/** spec.expirationSeconds is an int32. */
const maxInt32 = 2 ** 31 - 1;

export const defaults = {
  apiVersion: 'client.authentication.k8s.io/v1' as ExecApiVersion,
  expirationSeconds: 3600,
  minimumExpirationSeconds: 600,
  renewWindow: [0.7, 0.9] as [number, number],
  waitTimeoutSeconds: 300,
};

export function resolveSettings(flags: CredentialFlags, profile: Profile | undefined, execInfo: ExecInfo | undefined): Settings {
  const p = profile ?? {};
  const user = flags.user ?? p.user;
  const token = resolveTokenSource(flags.tokenFile, p);
  const missing = [!user && '--user', !token && '--token-file'].filter(Boolean);
  const connection = resolveConnection(flags, p, execInfo?.cluster);
  if (!connection) missing.push('--server');
  if (missing.length > 0 || !user || !token || !connection) {
    const hint = profile ? '' : ` (no profile "${flags.profile}": pass the flags, see kube-csr-login get-credential --help)`;
    throw new KclError('config', `missing ${missing.join(', ')}${hint}`);
  }
  const expirationSeconds = flags.expirationSeconds ?? p.expirationSeconds ?? defaultExpirationSeconds(token, defaults.expirationSeconds);
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < defaults.minimumExpirationSeconds || expirationSeconds > maxInt32) {
    throw new KclError('usage', `expiration must be between ${defaults.minimumExpirationSeconds} seconds and about 68 years`);
  }
  const renewWindow = flags.renewWindow ?? p.renewWindow ?? defaults.renewWindow;
  if (!(renewWindow[0] > 0 && renewWindow[0] <= renewWindow[1] && renewWindow[1] < 1)) {
    throw new KclError('usage', 'renew window must satisfy 0 < min <= max < 100 %');
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
    csrName: flags.csrName ?? p.csrName ?? `user=${user}`,
  };
}

/** The cluster from KUBERNETES_EXEC_INFO wins: it is what kubectl is about to talk to. */
function resolveConnection(flags: CredentialFlags, p: Profile, cluster: ClusterInfo | undefined): Connection | undefined {
  if (cluster && flags.server === undefined) return { ...cluster };
  const server = flags.server ?? p.server;
  if (!server) return undefined;
  try {
    checkServerUrl(server, flags.server ? '--server' : 'the profile server');
  } catch (error) {
    throw new KclError('usage', describe(error));
  }
  const connection: Connection = { server, insecureSkipTlsVerify: p.insecureSkipTlsVerify ?? false };
  const caFile = flags.certificateAuthority ?? p.certificateAuthorityFile;
  if (caFile) connection.certificateAuthorityFile = caFile;
  if (p.tlsServerName) connection.tlsServerName = p.tlsServerName;
  return connection;
}
