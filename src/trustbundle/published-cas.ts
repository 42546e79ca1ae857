// The API server's serving CAs as the cluster publishes them (1.37+): kube-controller-manager's
// kube-apiserver-serving-clustertrustbundle-publisher-controller writes its --root-ca-file into a
// certificates.k8s.io/v1 ClusterTrustBundle with signer kubernetes.io/kube-apiserver-serving. Read
// with the user's ServiceAccount token (the default system:cluster-trust-bundle-discovery role is
// bound to all ServiceAccounts) over a connection verified with the profile's current CA, and the
// certificate chain the server presented on that same connection is kept, to check the bundle against.
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { KclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { isRecord } from '../util/validate.js';

const servingSigner = 'kubernetes.io/kube-apiserver-serving';
const path = `/apis/certificates.k8s.io/v1/clustertrustbundles?fieldSelector=${encodeURIComponent(`spec.signerName=${servingSigner}`)}`;
const maxBodyBytes = 4 * 1024 * 1024;
const maxCertificates = 64;
const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface PublishedCas {
  /** Every CA of every bundle of the signer, in order, without repeats. */
  cas: X509Certificate[];
  /** What the server presented on the connection the bundles came over: leaf first. */
  servingChain: X509Certificate[];
}

/** undefined: this cluster does not serve the v1 API or publishes no bundle for the signer. */
export async function fetchPublishedCas(client: ApiClient, timeoutMs: number): Promise<PublishedCas | undefined> {
  let response;
  try {
    response = await client.stream({ method: 'GET', path, timeoutMs });
  } catch (error) {
    if (error instanceof KclError && error.code === 'notFound') return undefined; // before 1.37: no v1 ClusterTrustBundle
    throw error;
  }
  const servingChain = peerChain(response.socket as TLSSocket);
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) {
      response.destroy();
      throw new KclError('server', 'the ClusterTrustBundle list is larger than 4 MiB: not read');
    }
    chunks.push(chunk as Buffer);
  }
  const cas = parseBundles(Buffer.concat(chunks).toString('utf8'));
  return cas.length === 0 ? undefined : { cas, servingChain };
}

function parseBundles(text: string): X509Certificate[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new KclError('server', 'the API server sent an unreadable ClusterTrustBundle list');
  }
  const items: unknown[] = isRecord(list) && Array.isArray(list.items) ? list.items : [];
  const seen = new Map<string, X509Certificate>();
  for (const item of items) {
    const spec = isRecord(item) && isRecord(item.spec) ? item.spec : {};
    if (spec.signerName !== servingSigner || typeof spec.trustBundle !== 'string') continue;
    for (const block of spec.trustBundle.match(pemBlock) ?? []) {
      let ca: X509Certificate;
      try {
        ca = new X509Certificate(block);
      } catch {
        throw new KclError('server', `a ClusterTrustBundle of ${servingSigner} holds a certificate that does not parse`);
      }
      if (!ca.ca) throw new KclError('server', `a ClusterTrustBundle of ${servingSigner} holds a certificate that is not a CA`);
      seen.set(ca.fingerprint256, ca);
      if (seen.size > maxCertificates)
        throw new KclError('server', `the bundles of ${servingSigner} hold more than ${maxCertificates} CAs`);
    }
  }
  return [...seen.values()];
}

function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let current = socket.getPeerCertificate(true);
  while (current?.raw !== undefined && chain.length < 10) {
    chain.push(new X509Certificate(current.raw));
    if (current.issuerCertificate === current) break; // self-signed root at the end
    current = current.issuerCertificate;
  }
  if (chain.length === 0) throw new KclError('tls', 'the API server presented no certificate');
  return chain;
}
