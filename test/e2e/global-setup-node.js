// The node suite's control plane (npm run test:node): its own state directory by default, so it
// never shares (or stops) the one of a concurrent `npm test`; then the e2e global setup.
import globalSetup from './global-setup.js';

export default async function nodeGlobalSetup() {
  process.env.KCL_CLUSTER_DIR ||= '/tmp/kube-csr-login-node-e2e';
  await globalSetup();
}
