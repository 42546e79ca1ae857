// Starts the local control plane (up.sh) for the demo, the benchmark and the version matrix, with
// up.sh's and build.sh's progress on this process's stderr as it happens: a first run compiles for
// minutes and shows packages compiled/total and the elapsed time. Loads the cluster.env it writes
// into process.env, where the e2e helpers (test/e2e/cluster.ts) read the cluster's coordinates.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../e2e/cluster.js';

const here = path.join(repoRoot, 'test/cluster');

/** Runs a script of test/cluster with stderr passed through; resolves to its stdout. */
export function clusterScript(script: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(here, script), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`test/cluster/${script} exited ${code} (its messages are above)`)),
    );
  });
}

/** up.sh with `env` (KCL_CLUSTER_DIR, KCL_KUBERNETES, ...); returns the admin kubeconfig path. */
export async function startCluster(env: Record<string, string> = {}): Promise<string> {
  const adminConfig = (await clusterScript('up.sh', [], env)).trim().split('\n').at(-1) ?? '';
  for (const line of (await readFile(path.join(path.dirname(adminConfig), 'cluster.env'), 'utf8')).split('\n')) {
    const match = /^(KCL_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1]) process.env[match[1]] = match[2];
  }
  process.env.KCL_ADMIN_KUBECONFIG = adminConfig;
  return adminConfig;
}
