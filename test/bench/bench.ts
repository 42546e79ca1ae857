// npm run bench: kube-csr-login against its references on the local control plane, compared
// commands interleaved (A B A B ...), medians. Prints a table; with --json the LAST stdout line is
// one JSON object naming every figure and ratio. Reports only: always exits 0 (failures marked).
// Env: KCL_CLUSTER_DIR (default /tmp/kcl-bench-cluster), KCL_BENCH_KEEP_CLUSTER=1,
// KCL_BENCH_BURST (CSRs per approver burst, 500), KCL_BENCH_MEMORY_CSRS (10000), KCL_BENCH_ONLY=1,2,...
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cluster, launcher } from '../e2e/cluster.js';
import { approveContinuously, provisionUser, type ProvisionedUser } from '../e2e/provision.js';
import { approverMemory, approverVsKcm } from './approver-bench.js';
import { type Approver, startApprover } from './approver-process.js';
import { clusterDown, clusterUp } from './cluster-control.js';
import { freshCacheEnv, pluginArgs } from './flows.js';
import { blockingVsSeed, parallel32 } from './renewal.js';
import { printResults } from './summary.js';
import { log, results, section } from './results.js';
import { cacheHitVsGke, nodePathVsFloor, ok } from './startup.js';

const only = new Set((process.env.KCL_BENCH_ONLY ?? '1,2,3,4,5,6').split(','));
const burstSize = Number(process.env.KCL_BENCH_BURST ?? 500);
const memoryCsrs = Number(process.env.KCL_BENCH_MEMORY_CSRS ?? 10_000);
let approver: Approver | undefined;

const startOurs = async () => (approver = await startApprover(cluster.adminKubeconfig, log));

async function users(): Promise<{ user: ProvisionedUser; seed: ProvisionedUser }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kcl-bench-'));
  return { user: await provisionUser(dir, 'bench', ['devs']), seed: await provisionUser(dir, 'seed', ['devs'], 'bench-seed') };
}

async function clientParts(): Promise<void> {
  await clusterUp(false, log);
  const { user, seed } = await users();
  let approvedBy = 'kube-csr-login approver';
  let stopPolling: (() => Promise<void>) | undefined;
  try {
    await startOurs();
  } catch (error) {
    approvedBy = 'a kubectl polling loop (approver unavailable)';
    results.notes.push(`approver did not start (${(error as Error).message}); approving with the admin kubectl polling loop`);
    stopPolling = approveContinuously(user.name);
  }
  const args = pluginArgs(user);
  const hitEnv = await freshCacheEnv();
  try {
    await ok(launcher, args, hitEnv); // the credential every cache-hit figure reads
    await ok(launcher, args, hitEnv);
    if (only.has('1')) await section('1 cache hit vs gke-gcloud-auth-plugin', () => cacheHitVsGke(args, hitEnv));
    if (only.has('2')) await section('2 node path vs node floor', () => nodePathVsFloor(args, hitEnv));
    if (only.has('3')) await section('3 blocking renewal vs seed flow', () => blockingVsSeed(user, seed, approvedBy));
    if (only.has('4')) await section('4 parallel32', () => parallel32(user));
  } finally {
    await stopPolling?.();
    await approver?.stop();
    approver = undefined;
  }
}

async function approverParts(): Promise<void> {
  await clusterUp(true, log); // restarts the control plane with kcm's csrapproving controller
  const { user } = await users();
  if (only.has('5')) await section('5 approver vs kcm csrapproving', async () => void (await approverVsKcm(user, burstSize, startOurs)));
  if (only.has('6')) {
    await section('6 approver memory', async () => {
      approver ??= await startOurs();
      // stops it (stop() is idempotent) and starts a fresh one, which startOurs records in `approver`
      await approverMemory(user, memoryCsrs, approver, startOurs);
    });
  }
}

async function main(): Promise<void> {
  if (['1', '2', '3', '4'].some((p) => only.has(p))) await clientParts();
  if (only.has('5') || only.has('6')) await approverParts();
}

main()
  .catch((error: unknown) => {
    results.notes.push(`aborted: ${(error as Error).message.split('\n')[0]}`);
    log(`${(error as Error).stack}`);
  })
  .finally(async () => {
    await approver?.stop().catch(() => undefined);
    await clusterDown(log).catch(() => undefined);
    await printResults(process.argv.includes('--json'));
    process.exit(0);
  });
