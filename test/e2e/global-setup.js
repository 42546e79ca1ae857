// Starts the real local control plane once per jest run (test/cluster/up.sh) and hands its
// coordinates to the e2e tests through the environment. Fails, never skips, when it cannot start.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export default async function globalSetup() {
  const root = path.resolve(import.meta.dirname, '../..');
  process.env.KCL_CLUSTER_DIR ||= '/tmp/kube-csr-login-e2e';
  let out;
  try {
    out = execFileSync('bash', [path.join(root, 'test/cluster/up.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 40 * 60_000,
    });
  } catch (error) {
    throw new Error(`the local control plane did not start (test/cluster/up.sh exited ${error.status}); see its messages above`);
  }
  const kubeconfig = out.trim().split('\n').at(-1);
  process.env.KCL_ADMIN_KUBECONFIG = kubeconfig;
  for (const line of readFileSync(path.join(process.env.KCL_CLUSTER_DIR, 'cluster.env'), 'utf8').split('\n')) {
    const match = /^(?:export\s+)?(KCL_[A-Z_]+)=["']?([^"']*)["']?$/.exec(line.trim());
    if (match) process.env[match[1]] = match[2];
  }
  // Version skew (test/versions/matrix.ts): every kubectl call of the suite runs another release's kubectl.
  if (process.env.KCL_E2E_KUBECTL) {
    process.env.KCL_KUBECTL = process.env.KCL_E2E_KUBECTL;
    const client = JSON.parse(execFileSync(process.env.KCL_KUBECTL, ['version', '--client', '-o', 'json'], { encoding: 'utf8' }));
    process.stderr.write(`e2e: kubectl ${client.clientVersion.gitVersion} (KCL_E2E_KUBECTL) against the control plane\n`);
  }
}
