// `setup --refresh-ca`: adopts the serving CA the cluster publishes (a ClusterTrustBundle, 1.37+) in
// the profile and in the kubeconfig cluster setup wrote, after a rotation. Trust comes only from the
// current trust: the bundle is read with the profile's token over a connection verified with the
// profile's CA, and adopted only when the certificate the server presented there chains to it (so a
// bundle that would break the connection, or one that does not chain, is refused). Nothing is written
// unless it is adopted.
import { KclError } from '../errors.js';
import type { Connection } from '../kube/connection.js';
import type { ApiClient } from '../kube/http.js';
import { editKubeconfigs } from '../kubeconfig/edit-files.js';
import { findEntry, upsertEntry } from '../kubeconfig/document.js';
import type { Profile } from '../profile/profile.js';
import { saveCertificateAuthority, setupFiles } from '../profile/save-profile.js';
import { bundlePem, compareTrust, subjectOf } from '../trustbundle/compare-trust.js';
import { writeCaCheck } from '../trustbundle/ca-check.js';
import { fetchPublishedCas } from '../trustbundle/published-cas.js';
import { readCertificateAuthority } from '../credential/identity.js';

export interface RefreshCaDeps {
  configDir: string;
  now: () => Date;
  readToken: (profile: Profile) => Promise<string>;
  openTokenApi: (connection: Connection, token: string) => ApiClient;
}

export interface RefreshCaResult {
  changed: boolean;
  trusted: string[];
  added: string[];
  removed: string[];
  /** The kubeconfig cluster entry updated, when there was one to update. */
  kubeconfigCluster?: string;
}

export async function refreshCa(deps: RefreshCaDeps, name: string, profile: Profile, caCheckFile: string): Promise<RefreshCaResult> {
  const { connection, currentPem } = await profileConnection(name, profile);
  const client = deps.openTokenApi(connection, await deps.readToken(profile));
  const published = await fetchPublishedCas(client, 30_000).catch((error: unknown) => {
    if (error instanceof KclError && error.code === 'tls')
      throw new KclError(
        'tls',
        `${error.message}: the server no longer verifies with the CA of profile "${name}", so a new CA cannot be fetched from it safely; ask your admin for a new login bundle`,
      );
    throw error;
  });
  if (!published)
    throw new KclError(
      'notFound',
      `${profile.server} publishes no kube-apiserver-serving ClusterTrustBundle (Kubernetes 1.37+): nothing changed`,
    );
  const verdict = compareTrust(currentPem, published);
  const trusted = published.cas.map(subjectOf);
  if (verdict.state === 'broken') throw new KclError('tls', `${verdict.reason}: not adopted, nothing changed (tell your admin)`);
  const check = { checkedAt: deps.now(), state: 'current', message: 'matches the serving CA the cluster publishes' } as const;
  if (verdict.state === 'current') {
    await writeCaCheck(caCheckFile, check);
    return { changed: false, trusted, added: [], removed: [] };
  }
  const pem = bundlePem(published);
  const kubeconfigCluster = await updateKubeconfigCluster(profile, pem);
  await saveCertificateAuthority(setupFiles(deps.configDir, name), pem);
  await writeCaCheck(caCheckFile, check);
  return {
    changed: true,
    trusted,
    added: verdict.added.map(subjectOf),
    removed: verdict.removed.map(subjectOf),
    ...(kubeconfigCluster === undefined ? {} : { kubeconfigCluster }),
  };
}

/** The profile's server, verified with the CA the profile trusts now. */
export async function profileConnection(name: string, profile: Profile): Promise<{ connection: Connection; currentPem: string }> {
  if (profile.server === undefined || profile.certificateAuthorityFile === undefined)
    throw new KclError('config', `profile "${name}" has no server and CA: run kube-csr-login setup`);
  const currentPem = await readCertificateAuthority(profile.certificateAuthorityFile);
  const connection: Connection = {
    server: profile.server,
    certificateAuthorityPem: currentPem,
    ...(profile.tlsServerName === undefined ? {} : { tlsServerName: profile.tlsServerName }),
    ...(profile.proxyUrl === undefined ? {} : { proxyUrl: profile.proxyUrl }),
  };
  return { connection, currentPem };
}

/** The cluster entry setup wrote (by name, if it still points at the profile's server). */
async function updateKubeconfigCluster(profile: Profile, pem: string): Promise<string | undefined> {
  const entries = profile.kubeconfig;
  if (!entries || entries.files.length === 0) return undefined;
  return editKubeconfigs(entries.files, (set) => {
    const owner = set.owner('clusters', entries.cluster);
    const body: unknown = findEntry(owner.doc, 'clusters', entries.cluster)?.toJSON();
    const cluster = typeof body === 'object' && body !== null && 'cluster' in body ? body.cluster : undefined;
    const server = typeof cluster === 'object' && cluster !== null && 'server' in cluster ? cluster.server : undefined;
    if (server !== profile.server) return undefined;
    upsertEntry(owner.doc, 'clusters', entries.cluster, {
      'certificate-authority-data': Buffer.from(pem, 'utf8').toString('base64'),
      'certificate-authority': undefined,
    });
    return entries.cluster;
  });
}
