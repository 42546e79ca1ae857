// In-cluster configuration without @kubernetes/client-node: a pod needs only its ServiceAccount
// token, the cluster CA and KUBERNETES_SERVICE_HOST/PORT, as client-go's rest.InClusterConfig reads
// them. Importing client-node for that would cost the approver ~120 MB of RSS at rest. The token is
// re-read once a minute (kubelet rotates projected tokens in place), keeping the last good one if a
// read fails, like client-go's cached file token source.
import { KclError, describe } from '../errors.js';
import { type ApiClient, createRequestClient } from './http.js';
import { proxyEnvironment } from './proxy-env.js';

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';
const tokenRefreshMs = 60_000;

export interface InClusterDeps {
  env: Readonly<Record<string, string | undefined>>;
  readText: (file: string) => Promise<string>;
  nowMs: () => number;
}

export interface InCluster {
  client: ApiClient;
  server: string;
  certificateAuthorityPem: string;
}

export function inClusterServer(env: Readonly<Record<string, string | undefined>>): string {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '';
  if (host === '' || !/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new KclError('config', 'in-cluster configuration needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (1-65535)');
  }
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let url: URL;
  try {
    url = new URL(`https://${bracketed}:${port}`);
  } catch {
    throw new KclError('config', 'KUBERNETES_SERVICE_HOST is not a host name or IP address');
  }
  if (url.pathname !== '/' || url.username || url.search)
    throw new KclError('config', 'KUBERNETES_SERVICE_HOST is not a host name or IP address');
  return url.origin;
}

export async function inClusterClient(deps: InClusterDeps): Promise<InCluster> {
  const server = inClusterServer(deps.env);
  const read = async (name: string) => {
    try {
      return await deps.readText(`${serviceAccountDir}/${name}`);
    } catch (error) {
      throw new KclError('config', `cannot read the pod's ServiceAccount ${name} (${serviceAccountDir}/${name}): ${describe(error)}`);
    }
  };
  const certificateAuthorityPem = await read('ca.crt');
  const validToken = (text: string) => {
    const token = text.trim();
    // a header value: visible ASCII only, so a corrupt file never reaches the request line
    if (token === '' || !/^[\x21-\x7e]+$/.test(token))
      throw new KclError('config', `the pod's ServiceAccount token (${serviceAccountDir}/token) is empty or malformed`);
    return token;
  };
  let token = validToken(await read('token'));
  let readAt = deps.nowMs();
  const currentToken = async () => {
    if (deps.nowMs() - readAt >= tokenRefreshMs) {
      readAt = deps.nowMs();
      token = await read('token').then(validToken, () => token);
    }
    return token;
  };
  // as client-go in a pod: HTTPS_PROXY/NO_PROXY apply (a pod behind a proxy lists the service IP in NO_PROXY)
  const client = createRequestClient(server, { environment: proxyEnvironment(deps.env) }, async (options) => {
    options.ca = certificateAuthorityPem;
    options.rejectUnauthorized = true;
    options.headers = { ...options.headers, authorization: `Bearer ${await currentToken()}` };
  });
  return { client, server, certificateAuthorityPem };
}
