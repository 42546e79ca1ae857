// A control plane of the suite's own (a sibling state directory of the shared one), for tests that
// restart the API server: the other e2e files keep using theirs undisturbed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, run } from '../cluster.js';
import type { Outage } from './analyse.js';

export interface OwnCluster {
  dir: string;
  server: string;
  caFile: string;
  adminKubeconfig: string;
  kubectl: string;
  admin: (...args: string[]) => Promise<string>;
}

const script = (name: string) => path.join(repoRoot, 'test/cluster', name);

/** env: up.sh settings of this control plane (e.g. KCL_CLUSTER_AUDIT=1). */
export async function startOwnCluster(suffix: string, env: Record<string, string> = {}): Promise<OwnCluster> {
  const dir = `${process.env.KCL_CLUSTER_DIR || '/tmp/kube-csr-login-e2e'}-${suffix}`;
  const up = await run('bash', [script('up.sh')], {
    env: { KCL_CLUSTER_DIR: dir, KCL_CLUSTER_CSRAPPROVING: '0', KCL_CLUSTER_AUDIT: '0', ...env },
    timeoutMs: 40 * 60_000,
  });
  if (up.code !== 0)
    throw new Error(
      `the suite's own control plane did not start (up.sh exit ${up.code}): ${up.stderr.trim().split('\n').slice(-5).join(' | ')}`,
    );
  const values = new Map<string, string>();
  for (const line of (await readFile(path.join(dir, 'cluster.env'), 'utf8')).split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1));
  }
  const value = (key: string) => {
    const found = values.get(key);
    if (!found) throw new Error(`${dir}/cluster.env has no ${key}`);
    return found;
  };
  const cluster = {
    dir,
    server: value('KCL_SERVER'),
    caFile: value('KCL_CA_FILE'),
    adminKubeconfig: value('KCL_ADMIN_KUBECONFIG'),
    kubectl: value('KCL_KUBECTL'),
  };
  const admin = async (...args: string[]) => {
    const result = await run(cluster.kubectl, ['--kubeconfig', cluster.adminKubeconfig, ...args]);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  return { ...cluster, admin };
}

export async function stopOwnCluster(cluster: OwnCluster | undefined): Promise<void> {
  if (!cluster || process.env.KCL_KEEP_CLUSTER) return;
  await run('bash', [script('down.sh')], { env: { KCL_CLUSTER_DIR: cluster.dir } });
}

/** Restarts kube-apiserver alone; the outage runs from the stop request until it is ready again. */
export async function restartApiserver(cluster: OwnCluster, downSeconds: number): Promise<Outage> {
  const from = Date.now();
  const result = await run('bash', [script('restart-apiserver.sh'), String(downSeconds)], {
    env: { KCL_CLUSTER_DIR: cluster.dir },
    timeoutMs: 180_000,
  });
  const ready = /ready=(\d+)/.exec(result.stdout)?.[1];
  if (result.code !== 0 || !ready) throw new Error(`restart-apiserver.sh failed (exit ${result.code}): ${result.stderr.trim()}`);
  return { from, to: Number(ready) };
}
