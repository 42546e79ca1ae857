// npm run bench: kube-csr-login against its references on the local control plane, compared
// commands interleaved (A B A B ...), medians. Prints a table; with --json the LAST stdout line is
// one JSON object naming every figure and ratio. Reports only: always exits 0 (failures marked).
// Env: KCL_CLUSTER_DIR (default /tmp/kcl-bench-cluster), KCL_BENCH_KEEP_CLUSTER=1,
// KCL_BENCH_BURST (CSRs per approver burst, 500), KCL_BENCH_MEMORY_CSRS (10000),
// KCL_BENCH_FAILOVER_ROUNDS (20), KCL_BENCH_LOADGEN_USERS (100000), KCL_BENCH_ONLY=1,2,... (parts, 1-13,
// run in that order; part 10 also runs 7 and 8, whose recording and idle figure it needs; part 13,
// the single executable's start-up, needs no cluster and runs after it is stopped). Runs as root
// (parts 8 and 10 start the approver in a mount namespace with the pod's ServiceAccount files).
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cluster, launcher } from '../e2e/cluster.js';
import { approveContinuously, provisionUser, type ProvisionedUser } from '../e2e/provision.js';
import { approverMemory, approverVsKcm } from './approver-bench.js';
import { type Approver, type InClusterTarget, startApprover } from './approver-process.js';
import { failoverRounds, idleVsFloor, kcmUnthrottled, latencyParts, loadgen100k, podTarget } from './approver-scale.js';
import { adminApi, tokenApi } from './api-client.js';
import { etcdFootprint } from './etcd-footprint.js';
import { type Recorded, recordApi } from './record-api.js';
import { clusterDown, clusterUp } from './cluster-control.js';
import { freshCacheEnv, pluginArgs } from './flows.js';
import { blockingVsSeed, parallel32 } from './renewal.js';
import { printResults } from './summary.js';
import { log, results, section } from './results.js';
import { seaStartVsNodeBundle } from './single-executable.js';
import { cacheHitVsGke, nodePathVsFloor, ok } from './startup.js';

const only = new Set((process.env.KCL_BENCH_ONLY ?? '1,2,3,4,5,6,7,8,9,10,11,12,13').split(','));
if (only.has('10')) ['7', '8'].forEach((part) => only.add(part)); // the load generator serves 7's recording, compared with 8's idle
const failoverRoundCount = Number(process.env.KCL_BENCH_FAILOVER_ROUNDS ?? 20);
const burstSize = Number(process.env.KCL_BENCH_BURST ?? 500);
const memoryCsrs = Number(process.env.KCL_BENCH_MEMORY_CSRS ?? 10_000);
let approver: Approver | undefined;
/** Where our approver runs from part 5 on: in-cluster, with the example deployment's RBAC. */
let pod: InClusterTarget | undefined;

const startOurs = async () => (approver = await startApprover(pod ?? cluster.adminKubeconfig, log));
const stopOurs = async () => {
  await approver?.stop();
  approver = undefined;
};

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
  pod = await podTarget(await mkdtemp(path.join(os.tmpdir(), 'kcl-bench-pod-')));
  if (only.has('5')) await section('5 approver vs kcm csrapproving', async () => void (await approverVsKcm(user, burstSize, startOurs)));
  if (only.has('6')) {
    await section('6 approver memory', async () => {
      approver ??= await startOurs();
      // stops it (stop() is idempotent) and starts a fresh one, which startOurs records in `approver`
      await approverMemory(user, memoryCsrs, approver, startOurs);
    });
  }
}

/** Parts 7-12 on a fresh control plane without csrapproving: nothing else decides, no CSRs at first. */
async function scaleParts(): Promise<void> {
  await stopOurs(); // part 6 leaves one running on the control plane about to restart
  await clusterUp(false, log);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kcl-bench-scale-'));
  const { user } = await users();
  pod = await podTarget(dir);
  let recorded: Recorded | undefined;
  if (only.has('7')) {
    await section('7 record the real API server JSON for the load generator', async () => {
      const admin = await adminApi(cluster.adminKubeconfig, cluster.server, cluster.caFile, 4);
      recorded = await recordApi(admin, await tokenApi(cluster.server, cluster.caFile, user.tokenFile, 4), user, 'users');
      if (recorded.constructed.length)
        results.notes.push(
          `load generator: ${recorded.constructed.join(', ')} built from the documented format (the server sent none in time); everything else recorded`,
        );
    });
  }
  let idle: number | undefined;
  if (only.has('8')) {
    await section('8 approver idle, latency and CPU (in-cluster)', async () => {
      const ours = await startOurs();
      idle = await idleVsFloor(ours);
      await latencyParts(ours, user);
    });
    await stopOurs();
  }
  if (only.has('9')) await section('9 kcm csrapproving unthrottled', () => kcmUnthrottled(burstSize));
  if (only.has('10') && recorded && idle !== undefined) {
    const r = recorded;
    const i = idle;
    await section('10 approver with 100,000 CSRs (load generator)', () =>
      loadgen100k(r, user, i, dir, Number(process.env.KCL_BENCH_LOADGEN_USERS ?? 100_000)),
    );
  }
  if (only.has('11')) await section(`11 failover, ${failoverRoundCount} rounds`, () => failoverRounds(failoverRoundCount, dir));
  if (only.has('12')) {
    await section('12 etcd bytes per user', async () => {
      await startOurs();
      await etcdFootprint().finally(stopOurs);
    });
  }
}

async function main(): Promise<void> {
  if (['1', '2', '3', '4'].some((p) => only.has(p))) await clientParts();
  if (only.has('5') || only.has('6')) await approverParts();
  if (['7', '8', '9', '10', '11', '12'].some((p) => only.has(p))) await scaleParts();
  if (only.has('13')) {
    await clusterDown(log); // a start-up measured without the control plane's CPU use
    await section('13 single executable start-up', seaStartVsNodeBundle);
  }
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
