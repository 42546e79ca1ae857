// The benchmark's own control plane (state dir KCL_CLUSTER_DIR, default /tmp/kcl-bench-cluster):
// started with up.sh (reused if healthy, restarted when the csrapproving setting differs), its
// cluster.env loaded into process.env for the e2e helpers, stopped with down.sh at the end.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, run } from '../e2e/cluster.js';

const clusterDir = process.env.KCL_CLUSTER_DIR ?? '/tmp/kcl-bench-cluster';
let started = false;

export async function clusterUp(csrapproving: boolean, log: (line: string) => void): Promise<void> {
  log(`control plane in ${clusterDir} (csrapproving ${csrapproving ? 'on' : 'off'})`);
  const env = { KCL_CLUSTER_DIR: clusterDir, KCL_CLUSTER_CSRAPPROVING: csrapproving ? '1' : '0' };
  const up = await run('bash', [path.join(repoRoot, 'test/cluster/up.sh')], { env, timeoutMs: 1_800_000 });
  started = true;
  if (up.code !== 0) throw new Error(`up.sh failed (${up.code}): ${up.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  for (const line of (await readFile(path.join(clusterDir, 'cluster.env'), 'utf8')).split('\n')) {
    const m = /^(KCL_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) process.env[m[1]!] = m[2]!;
  }
  const lines = up.stdout.trim().split('\n');
  process.env.KCL_ADMIN_KUBECONFIG = lines[lines.length - 1]!.trim();
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
