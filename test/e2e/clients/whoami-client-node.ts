// Asks SelfSubjectReview who we are with @kubernetes/client-node (the package named in argv[2], e.g.
// the 1.x alias client-node-1), through the exec stanza of the kubeconfig in argv[3]: one request
// per line read on stdin, one JSON line printed per request ({status, error} when it is refused).
import { createInterface } from 'node:readline';
import type * as ClientNodeModule from '@kubernetes/client-node';

type ClientNode = typeof ClientNodeModule;
const [moduleName, kubeconfig] = process.argv.slice(2);
if (!moduleName || !kubeconfig) throw new Error('usage: whoami-client-node MODULE KUBECONFIG');
const k8s: ClientNode = await import(moduleName);
const config = new k8s.KubeConfig();
config.loadFromFile(kubeconfig);
const api = config.makeApiClient(k8s.AuthenticationV1Api);
for await (const _line of createInterface({ input: process.stdin })) {
  try {
    const review = await api.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    const info = review.status?.userInfo;
    const credentialId = info?.extra?.['authentication.kubernetes.io/credential-id']?.[0] ?? '';
    process.stdout.write(`${JSON.stringify({ username: info?.username, groups: info?.groups, credentialId })}\n`);
  } catch (error) {
    // client-node's ApiException carries the HTTP status as `code`
    const status = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    process.stdout.write(`${JSON.stringify({ status, error: error instanceof Error ? error.message.split('\n')[0] : String(error) })}\n`);
  }
}
