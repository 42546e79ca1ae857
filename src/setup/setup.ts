// `setup`: one time per cluster. Asks the API server who the token belongs to and which groups it
// may claim, stores the token and CA in the config dir, writes the exec user, cluster and context
// into kubeconfig, then obtains and checks the first certificate. Nothing is written before the
// token has been accepted; after that, a failed first certificate leaves a setup that works once
// the cause (approval, RBAC) is fixed.
import { KclError, describe } from '../errors.js';
import type { Connection } from '../kube/connection.js';
import type { ApiClient } from '../kube/http.js';
import { type SetupResult, writeSetupEntries } from '../kubeconfig/setup-entries.js';
import type { Profile } from '../profile/profile.js';
import type { PlainTextCopy, TokenStorage } from '../token/token-source.js';
import type { TokenDeps } from '../token/token-store.js';
import { type Identity, discoverIdentity } from './discover-identity.js';
import type { LoginInput } from './login-input.js';
import { checkProfileTarget, saveCertificateAuthority, saveProfile, setupFiles } from '../profile/save-profile.js';
import { chooseTokenSource, removeOldToken, storeToken, tokenFields } from './store-token.js';
import type { LoginCheck } from './verify-login.js';
import { settleTokenCopy } from './retire-copy.js';
import type { TokenInputFile } from './token-copy.js';

export interface SetupDeps {
  configDir: string;
  kubeconfigFiles: string[];
  /** What kubectl will run: an absolute command path, and any arguments before ours. */
  exec: { command: string; leadingArgs?: string[]; node?: string };
  installHint: string;
  /** A client that reaches connection.server through its proxy-url, else as HTTPS_PROXY/NO_PROXY say. */
  openTokenApi: (connection: Connection, token: string) => ApiClient;
  /** The keyring, and the terminal for a new passphrase. */
  tokens: TokenDeps;
  /** Runs get-credential for the profile and checks the certificate with the API server. */
  firstLogin: (profile: string, connection: Connection) => Promise<LoginCheck>;
  progress: (message: string) => void;
  /** A yes/no question at the terminal (false without one): remove the plain-text copy read? */
  confirm: (question: string) => Promise<boolean>;
}

export interface SetupRequest {
  profile: string;
  login: LoginInput;
  /** Wanted groups; must be allowed by the ServiceAccount when its annotation is readable. */
  groups?: string[];
  clusterName?: string;
  contextName?: string;
  namespace?: string;
  useContext: boolean;
  /** Default: where the profile keeps its token now, else a plain file. */
  tokenStorage?: TokenStorage;
  /** Certificate lifetime to ask for (default 1 h, 8 h with a passphrase). */
  expirationSeconds?: number;
  /** The bundle or token file the token was read from (not stdin), and --[no-]remove-token-copy. */
  tokenInput?: TokenInputFile;
  removeTokenCopy?: boolean;
}

export interface SetupOutcome {
  profile: string;
  tokenStorage: TokenStorage;
  identity: Identity;
  groups: string[];
  kubeconfig: SetupResult;
  login: LoginCheck;
  /** The file setup read that still holds the token in plain text. */
  plainTextCopy?: string;
}

export async function setup(deps: SetupDeps, request: SetupRequest): Promise<SetupOutcome> {
  const { login } = request;
  const existing = await checkProfileTarget(deps.configDir, request.profile, login.server);
  const connection: Connection = {
    server: login.server,
    certificateAuthorityPem: login.certificateAuthorityPem,
    ...(login.tlsServerName === undefined ? {} : { tlsServerName: login.tlsServerName }),
    ...(login.proxyUrl === undefined ? {} : { proxyUrl: login.proxyUrl }),
  };
  const identity = await discoverIdentity(deps.openTokenApi(connection, login.token)).catch((error: unknown) => {
    if (error instanceof KclError && error.code === 'unauthorized') {
      throw new KclError('unauthorized', 'the API server rejected the login token (401): ask your admin for a new login bundle');
    }
    throw withContext(error, `setup could not check the login token with ${login.server}`);
  });
  const groups = chooseGroups(identity, request.groups);

  const files = setupFiles(deps.configDir, request.profile);
  // the token first: an unreachable keyring or a refused passphrase leaves nothing written
  const token = chooseTokenSource(request.tokenStorage ?? existing?.tokenStore?.storage ?? 'file', files, login.token);
  await storeToken(token, request.profile, login.token, deps.tokens);
  await saveCertificateAuthority(files, login.certificateAuthorityPem);
  const kubeconfig = await writeSetupEntries(deps.kubeconfigFiles, {
    server: login.server,
    certificateAuthorityData: Buffer.from(login.certificateAuthorityPem, 'utf8').toString('base64'),
    ...(login.tlsServerName === undefined ? {} : { tlsServerName: login.tlsServerName }),
    ...(login.proxyUrl === undefined ? {} : { proxyUrl: login.proxyUrl }),
    clusterName: request.clusterName ?? login.clusterName ?? new URL(login.server).hostname,
    userName: identity.user,
    useContext: request.useContext,
    exec: { ...deps.exec, profile: request.profile, installHint: deps.installHint },
    ...(request.contextName === undefined ? {} : { contextName: request.contextName }),
    ...(request.namespace === undefined ? {} : { namespace: request.namespace }),
  });
  const addedBefore = existing?.kubeconfig?.cluster === kubeconfig.cluster && existing.kubeconfig.clusterAdded;
  // fields setup owns in a fixed order, so that a second run serializes the same bytes
  const {
    server: _s,
    certificateAuthorityFile: _c,
    tlsServerName: _n,
    proxyUrl: _p,
    tokenFile: _t,
    tokenStore: _ts,
    plainTextCopies: earlier = [],
    user: _u,
    groups: _g,
    kubeconfig: _k,
    ...kept
  } = existing ?? {};
  if (request.expirationSeconds !== undefined) kept.expirationSeconds = request.expirationSeconds;
  const profile: Profile = {
    server: login.server,
    certificateAuthorityFile: files.certificateAuthority,
    tlsServerName: login.tlsServerName,
    proxyUrl: login.proxyUrl,
    ...tokenFields(token),
    user: identity.user,
    groups,
    ...kept,
    kubeconfig: { files: deps.kubeconfigFiles, ...kubeconfig, clusterAdded: kubeconfig.clusterAdded || addedBefore },
  };
  const plainTextCopy = await settleTokenCopy(
    { confirm: deps.confirm, progress: deps.progress, save: (copies) => saveProfile(files, withCopies(profile, copies)) },
    {
      input: request.tokenInput,
      remove: request.removeTokenCopy,
      token: login.token,
      store: token,
      ownFiles: [files.token, files.sealedToken],
      earlier,
    },
  );
  const leftOver = await removeOldToken(existing, token, files, request.profile, deps.tokens);
  if (leftOver) deps.progress(leftOver);

  deps.progress(`requesting the first certificate for ${identity.user} (CSR user=${identity.user}; it must be approved)`);
  const check = await deps.firstLogin(request.profile, connection).catch((error: unknown) => {
    throw withContext(
      error,
      `setup saved profile "${request.profile}" and context ${kubeconfig.context}, but the first certificate failed`,
    );
  });
  const outcome = { profile: request.profile, tokenStorage: token.storage, identity, groups, kubeconfig, login: check };
  return plainTextCopy === undefined ? outcome : { ...outcome, plainTextCopy };
}

function withCopies(profile: Profile, copies: PlainTextCopy[]): Profile {
  return copies.length === 0 ? profile : { ...profile, plainTextCopies: copies };
}

function chooseGroups(identity: Identity, wanted: string[] | undefined): string[] {
  const allowed = identity.groups;
  if (allowed === undefined) {
    if (wanted !== undefined) return [...new Set(wanted)].sort();
    throw new KclError(
      'forbidden',
      `cannot read the groups of ServiceAccount ${identity.namespace}/${identity.user} (it may not get itself): pass --groups, or ask your admin to rerun kube-csr-login admin add-user`,
    );
  }
  if (wanted === undefined) return allowed;
  const refused = wanted.filter((group) => !allowed.includes(group));
  if (refused.length > 0) {
    throw new KclError(
      'usage',
      `--groups: ${refused.join(', ')} not allowed for ${identity.user} (allowed: ${allowed.join(', ') || 'none'})`,
    );
  }
  return [...new Set(wanted)].sort();
}

/** Keeps the code (hence the exit code) of a KclError and puts the context first. */
function withContext(error: unknown, context: string): unknown {
  return error instanceof KclError ? new KclError(error.code, `${context}: ${describe(error)}`, { cause: error }) : error;
}
