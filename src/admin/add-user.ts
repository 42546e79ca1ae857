// `admin add-user`: applies a user's objects (server-side apply, idempotent), makes sure a token
// exists (the Secret filled by the token controller, or a TokenRequest with --token-duration), and
// writes the login bundle when asked. The token only ever goes into the bundle file. With
// --token-duration it deletes our token Secret left by an earlier run: its token never expires.
import { KclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import type { CurrentCluster } from '../kube/kubeconfig-client.js';
import { checkCertificateAuthority } from '../pki/certificate-authority.js';
import { type AppliedObject, applyManifests } from './apply-manifests.js';
import { checkBundleTarget, writeLoginBundle } from './login-bundle.js';
import { deleteObject, ownership } from './managed-objects.js';
import { type UserSpec, userManifests } from './manifests.js';
import { defaultTokenWaitMs, waitForSecretToken } from './secret-token.js';
import { requestToken } from './token-request.js';

export interface AddUserDeps {
  client: ApiClient;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

interface BundleTarget {
  file: string;
  /** The kubeconfig's current cluster; its CA goes into the bundle. */
  cluster: CurrentCluster;
  /** The server written into the bundle (default: the cluster's). */
  server?: string;
}

export interface AddUserRequest {
  spec: UserSpec;
  /** A TokenRequest of this many seconds instead of the long-lived token Secret. */
  tokenDurationSeconds?: number;
  bundle?: BundleTarget;
  tokenWaitMs?: number;
}

export interface AddUserResult {
  applied: AppliedObject[];
  /** The Secret holding the long-lived token; absent with --token-duration. */
  tokenSecret?: { namespace: string; name: string };
  /** When the TokenRequest token expires (--token-duration only). */
  tokenExpires?: Date;
  /** --token-duration only: the Secret NAME-token found there, deleted if ours, else left (absent: none found). */
  oldTokenSecret?: { namespace: string; name: string; outcome: 'deleted' | 'unmanaged' };
  bundleFile?: string;
}

/** The objects add-user applies: userManifests() without the token Secret when tokens are requested. */
export function manifestsFor(request: Pick<AddUserRequest, 'spec' | 'tokenDurationSeconds'>) {
  const manifests = userManifests(request.spec);
  return request.tokenDurationSeconds === undefined ? manifests : manifests.filter((m) => m.kind !== 'Secret');
}

export async function addUser(deps: AddUserDeps, request: AddUserRequest): Promise<AddUserResult> {
  const { spec, bundle } = request;
  if (request.tokenDurationSeconds !== undefined && !bundle) {
    throw new KclError(
      'usage',
      'admin add-user: --token-duration needs --bundle FILE (the requested token is written only into the bundle)',
    );
  }
  const caPem = bundle ? bundleCertificateAuthority(bundle.cluster) : undefined;
  if (bundle) await checkBundleTarget(bundle.file);
  const applied = await applyManifests(deps.client, manifestsFor(request));
  const account = { namespace: spec.usersNamespace, name: spec.name };
  const result: AddUserResult = { applied };
  const tokenSecret = { namespace: spec.usersNamespace, name: `${spec.name}-token` };
  let token: string;
  if (request.tokenDurationSeconds !== undefined) {
    const old = await deleteOldTokenSecret(deps.client, tokenSecret);
    if (old) result.oldTokenSecret = { ...tokenSecret, outcome: old };
    const requested = await requestToken(deps.client, account, request.tokenDurationSeconds);
    token = requested.token;
    result.tokenExpires = requested.expires;
  } else {
    result.tokenSecret = tokenSecret;
    token = await waitForSecretToken(deps, result.tokenSecret, request.tokenWaitMs ?? defaultTokenWaitMs);
  }
  if (bundle && caPem !== undefined) {
    await writeLoginBundle(bundle.file, {
      clusterName: bundle.cluster.name,
      server: bundle.server ?? bundle.cluster.server,
      certificateAuthorityPem: caPem,
      user: spec.name,
      token,
    });
    result.bundleFile = bundle.file;
  }
  return result;
}

/** Deleting a service-account-token Secret invalidates its token; one we do not manage is only reported. */
async function deleteOldTokenSecret(
  client: ApiClient,
  secret: { namespace: string; name: string },
): Promise<'deleted' | 'unmanaged' | undefined> {
  const ref = { apiVersion: 'v1', kind: 'Secret', ...secret };
  const found = await ownership(client, ref);
  if (found.state === 'absent') return undefined;
  if (found.state === 'unmanaged') return 'unmanaged';
  return (await deleteObject(client, ref, found.uid)) === 'removed' ? 'deleted' : undefined;
}

/** Checked before anything is applied: setup verifies the server with the bundle's CA. */
function bundleCertificateAuthority(cluster: CurrentCluster): string {
  if (cluster.certificateAuthorityPem === undefined) {
    throw new KclError(
      'config',
      `the kubeconfig's cluster "${cluster.name}" has no certificate-authority(-data): a login bundle needs the CA the user's setup verifies the server with`,
    );
  }
  return checkCertificateAuthority(cluster.certificateAuthorityPem, `the certificate-authority of cluster "${cluster.name}"`);
}
