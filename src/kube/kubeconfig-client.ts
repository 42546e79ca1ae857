// The client for admin-side commands (approver, admin): any kubeconfig kubectl accepts (client
// certificates, tokens, exec plugins, in-cluster), loaded by @kubernetes/client-node, which also
// authenticates each request; the requests themselves go through our small JSON client.
import { KclError, describe } from '../errors.js';
import { type ApiClient, createRequestClient } from './http.js';

export interface KubeconfigChoice {
  kubeconfig?: string;
  context?: string;
  /** The environment, for KUBECONFIG and in-cluster detection (read at the CLI edge). */
  env: Readonly<Record<string, string | undefined>>;
}

export async function loadKubeconfigClient(choice: KubeconfigChoice): Promise<ApiClient> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  try {
    if (choice.kubeconfig) config.loadFromFile(choice.kubeconfig);
    else if (!choice.env.KUBECONFIG && choice.env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
    else config.loadFromDefault();
    if (choice.context) config.setCurrentContext(choice.context);
  } catch (error) {
    throw new KclError('config', `could not load the kubeconfig: ${describe(error)}`);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) throw new KclError('config', 'the kubeconfig has no current cluster with a server');
  return createRequestClient(cluster.server, cluster.proxyUrl, async (options) => {
    try {
      await config.applyToHTTPSOptions(options);
    } catch (error) {
      throw new KclError('unauthorized', `could not get credentials from the kubeconfig: ${describe(error)}`);
    }
  });
}
