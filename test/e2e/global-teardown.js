// Stops the control plane the run started, unless KCL_KEEP_CLUSTER is set (for debugging).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default async function globalTeardown() {
  if (process.env.KCL_KEEP_CLUSTER) return;
  const root = path.resolve(import.meta.dirname, '../..');
  execFileSync('bash', [path.join(root, 'test/cluster/down.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
}
