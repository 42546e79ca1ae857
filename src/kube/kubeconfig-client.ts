// The client for admin-side commands (approver, admin): any kubeconfig kubectl accepts (client
// certificates, tokens, exec plugins), loaded by @kubernetes/client-node, which also authenticates
// each request; the requests themselves go through our small JSON client, so they take the
// cluster's proxy-url, else HTTPS_PROXY/NO_PROXY, as kubectl does (client-node alone ignores the
// environment). In a pod without a kubeconfig, the in-cluster files are read directly
// (in-cluster.ts): client-node is never loaded.
import { access, readFile } from 'node:fs/promises';
import { KclError, describe } from '../errors.js';
import { type ApiClient, createRequestClient } from './http.js';
import { inClusterClient } from './in-cluster.js';
import { proxyEnvironment } from './proxy-env.js';
import { kubeconfigFiles } from '../kubeconfig/paths.js';

export interface KubeconfigChoice {
  kubeconfig?: string;
  context?: string;
  /** The environment, for KUBECONFIG and in-cluster detection (read at the CLI edge). */
  env: Readonly<Record<string, string | undefined>>;
  /** For ~/.kube/config when neither --kubeconfig nor KUBECONFIG names a file. */
  home: string;
  /** Milliseconds, for re-reading the in-cluster token. */
  nowMs: () => number;
}

/** The kubeconfig's current cluster, as `admin add-user --bundle` hands it on to a user. */
export interface CurrentCluster {
  name: string;
  server: string;
  /** From certificate-authority-data or the certificate-authority file; absent when neither is set. */
  certificateAuthorityPem?: string;
}

export async function loadKubeconfigClient(choice: KubeconfigChoice): Promise<ApiClient> {
  return (await loadKubeconfig(choice)).client;
}

/** The client plus the current cluster's name, server and CA. */
export async function loadKubeconfigCluster(choice: KubeconfigChoice): Promise<{ client: ApiClient; cluster: CurrentCluster }> {
  const { client, cluster } = await loadKubeconfig(choice);
  const current: CurrentCluster = { name: cluster.name || 'cluster', server: cluster.server };
  const pem = await certificateAuthority(cluster);
  if (pem !== undefined) current.certificateAuthorityPem = pem;
  return { client, cluster: current };
}

interface LoadedCluster {
  name: string;
  server: string;
  caData?: string | undefined;
  caFile?: string | undefined;
}

async function loadKubeconfig(choice: KubeconfigChoice): Promise<{ client: ApiClient; cluster: LoadedCluster }> {
  if (!choice.kubeconfig && !choice.env.KUBECONFIG && choice.env.KUBERNETES_SERVICE_HOST) {
    if (choice.context) throw new KclError('usage', '--context needs a kubeconfig (in a pod, pass --kubeconfig FILE)');
    const inCluster = await inClusterClient({ env: choice.env, readText: (file) => readFile(file, 'utf8'), nowMs: choice.nowMs });
    return {
      client: inCluster.client,
      cluster: { name: 'in-cluster', server: inCluster.server, caData: Buffer.from(inCluster.certificateAuthorityPem).toString('base64') },
    };
  }
  // kubectl's file list, from what the edge read (client-node's loadFromDefault reads process.env
  // and the home directory itself)
  const [first, ...more] = kubeconfigFiles({ explicit: choice.kubeconfig, env: choice.env.KUBECONFIG, home: choice.home });
  if (first === undefined || (!choice.kubeconfig && !choice.env.KUBECONFIG && !(await exists(first))))
    throw new KclError('config', 'no kubeconfig found: pass --kubeconfig FILE or set KUBECONFIG');
  const { KubeConfig } = await import('./client-node.js');
  const config = new KubeConfig();
  try {
    config.loadFromFile(first);
    for (const file of more) {
      const next = new KubeConfig();
      next.loadFromFile(file);
      config.mergeConfig(next);
    }
    if (choice.context) config.setCurrentContext(choice.context);
  } catch (error) {
    throw new KclError('config', `could not load the kubeconfig: ${describe(error)}`);
  }
  if (choice.context && !config.getContextObject(choice.context))
    throw new KclError('config', `the kubeconfig has no context "${choice.context.slice(0, 100)}"`);
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) throw new KclError('config', 'the kubeconfig has no current cluster with a server');
  if (!cluster.server.startsWith('https://'))
    throw new KclError('config', `the kubeconfig's server ${cluster.server.slice(0, 100)} is not an https:// URL`);
  const proxy = { proxyUrl: cluster.proxyUrl, environment: proxyEnvironment(choice.env) };
  const client = createRequestClient(cluster.server, proxy, async (options) => {
    try {
      await config.applyToHTTPSOptions(options);
    } catch (error) {
      throw new KclError('unauthorized', `could not get credentials from the kubeconfig: ${describe(error)}`);
    }
  });
  return { client, cluster: { name: cluster.name, server: cluster.server, caData: cluster.caData, caFile: cluster.caFile } };
}

async function certificateAuthority(cluster: LoadedCluster): Promise<string | undefined> {
  if (cluster.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
  if (!cluster.caFile) return undefined;
  try {
    return await readFile(cluster.caFile, 'utf8');
  } catch (error) {
    throw new KclError('config', `could not read the cluster's certificate-authority ${cluster.caFile}: ${describe(error)}`);
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
