// The benchmark's own control plane (state dir KCL_CLUSTER_DIR, default /tmp/kcl-bench-cluster):
// started with up.sh (reused if healthy, restarted when the csrapproving setting differs), its
// cluster.env loaded into process.env for the e2e helpers, stopped with down.sh at the end. up.sh's
// progress (a first build takes minutes) goes to stderr as it happens.
import path from 'node:path';
import { startCluster } from '../cluster/start.js';
import { repoRoot, run } from '../e2e/cluster.js';

const clusterDir = process.env.KCL_CLUSTER_DIR ?? '/tmp/kcl-bench-cluster';
let started = false;

export async function clusterUp(csrapproving: boolean, log: (line: string) => void): Promise<void> {
  log(`control plane in ${clusterDir} (csrapproving ${csrapproving ? 'on' : 'off'})`);
  const env = { KCL_CLUSTER_DIR: clusterDir, KCL_CLUSTER_CSRAPPROVING: csrapproving ? '1' : '0' };
  started = true;
  await startCluster(env);
}

export async function clusterDown(log: (line: string) => void): Promise<void> {
  if (!started || process.env.KCL_BENCH_KEEP_CLUSTER === '1') return;
  log('stopping the control plane');
  const down = await run('bash', [path.join(repoRoot, 'test/cluster/down.sh')], {
    env: { KCL_CLUSTER_DIR: clusterDir },
    timeoutMs: 120_000,
  });
  if (down.code !== 0) log(`down.sh failed: ${down.stderr.trim()}`);
}
