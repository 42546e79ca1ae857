// Parts 3 and 4: what kubectl waits for when there is no usable certificate. A blocking renewal
// (empty cache, approver running) against the seed's manual flow scripted, interleaved; then rounds
// of 1 and 32 get-credential processes at once on an empty cache: how many CSRs, all succeed, walls.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cluster, launcher, sleep } from '../e2e/cluster.js';
import type { ProvisionedUser } from '../e2e/provision.js';
import { adminApi } from './api-client.js';
import { guardArgv } from './argv-guard.js';
import { listCsrs } from './csr-burst.js';
import { deleteCsr, freshCacheEnv, oursBlocking, pluginArgs, seedFlow, tokenKubeconfig } from './flows.js';
import { log, results } from './results.js';
import { median, timed } from './stats.js';

export async function blockingVsSeed(user: ProvisionedUser, seedUser: ProvisionedUser, approvedBy: string, runs = 10): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kcl-bench-seed-'));
  const kubeconfig = await tokenKubeconfig(dir, seedUser);
  const guard = guardArgv([user.token, seedUser.token]);
  const ours: number[] = [];
  const seed: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    await deleteCsr(user);
    ours.push(await oursBlocking(user));
    await deleteCsr(seedUser);
    seed.push(await seedFlow(dir, seedUser, kubeconfig));
  }
  const argv = await guard.stop();
  results.raw.argvTokenLeaks = argv.leaks.length;
  if (argv.leaks.length) results.notes.push(`TOKEN IN ARGV: ${argv.leaks.join('; ')}`);
  Object.assign(results.raw, { blockingRenewalMs: median(ours), seedFlowMs: median(seed) });
  log(`blocking renewal ms: ${ours.map((v) => v.toFixed(0)).join(' ')}; seed flow ms: ${seed.map((v) => v.toFixed(0)).join(' ')}`);
  results.rows.push({
    figure: 'blockingRenewalVsSeedFlow',
    ours: median(ours),
    reference: median(seed),
    unit: 'ms',
    target: { kind: 'lower', value: 0.5 },
    note: `(${runs} runs each; ours approved by ${approvedBy})`,
  });
  results.notes.push(
    `seed flow: user ${seedUser.name} outside the users namespace (the approver leaves it alone), openssl RSA-2048, kubectl create, admin kubectl certificate approve, kubectl get csr polled; argv checked for tokens in ${argv.samples} samples: ${argv.leaks.length} leaks`,
  );
}

// Starts n copies of the command at once from one sh (as `xargs -P` or a shell loop would) and
// waits for all; each copy's stdout and exit status land in dir. Single and burst go through the same
// fan-out, so the ratio compares like with like (spawning 32 processes from Node alone costs more
// than 0.5 renewals on 2 cores, which is the harness, not the product).
const fanOutScript =
  'n=$1; out=$2; shift 2; i=0; while [ $i -lt $n ]; do { "$@" >"$out/$i.out" 2>"$out/$i.err"; echo $? >"$out/$i.rc"; } & i=$((i + 1)); done; wait';

interface FanOut {
  wall: number;
  succeeded: number;
  failures: string[];
}

async function fanOut(n: number, args: string[], env: NodeJS.ProcessEnv): Promise<FanOut> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'kcl-bench-fanout-'));
  const result = await timed('/bin/sh', ['-c', fanOutScript, 'fan-out', String(n), out, launcher, ...args], env);
  if (result.code !== 0) throw new Error(`fan-out failed: ${result.stderr}`);
  let succeeded = 0;
  const failures: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const [rc, stdout, stderr] = await Promise.all(
      ['rc', 'out', 'err'].map((ext) => readFile(path.join(out, `${i}.${ext}`), 'utf8').catch(() => '')),
    );
    if (rc?.trim() === '0' && stdout?.includes('"clientCertificateData"')) succeeded += 1;
    else failures.push(stderr?.trim().split('\n')[0] || `exit ${rc?.trim()}`);
  }
  await rm(out, { recursive: true, force: true });
  return { wall: result.ms, succeeded, failures };
}

/** Counts the CSRs named after the user that the API server sees created while `during` runs. */
async function countCsrsCreated(user: ProvisionedUser, during: () => Promise<FanOut>): Promise<FanOut & { csrs: number }> {
  const api = await adminApi(cluster.adminKubeconfig, cluster.server, cluster.caFile);
  const name = `user=${user.name}`;
  let csrs = 0;
  const rv = await listCsrs(api, () => undefined);
  const watch = api.watch(`/apis/certificates.k8s.io/v1/certificatesigningrequests?watch=1&resourceVersion=${rv}`, (type, object) => {
    if (type === 'ADDED' && (object as { metadata?: { name?: unknown } } | null)?.metadata?.name === name) csrs += 1;
  });
  await sleep(1000);
  try {
    const outcome = await during();
    await sleep(1000);
    return { ...outcome, csrs };
  } finally {
    watch.stop();
  }
}

/**
 * Part 4, `rounds` times side by side: one call, then n calls at once, each on an empty cache and
 * through the same fan-out. Every burst must make exactly one CSR and n successes; the ratio is the
 * median burst wall over the median single wall.
 */
export async function parallel32(user: ProvisionedUser, n = 32, rounds = 5): Promise<void> {
  const args = pluginArgs(user);
  const guard = guardArgv([user.token]);
  const singles: number[] = [];
  const walls: number[] = [];
  const csrs: number[] = [];
  const succeeded: number[] = [];
  const failures = new Set<string>();
  for (let round = 0; round < rounds; round += 1) {
    await deleteCsr(user);
    const single = await fanOut(1, args, await freshCacheEnv());
    if (single.succeeded !== 1) throw new Error(`single renewal failed: ${single.failures.join(' | ')}`);
    singles.push(single.wall);
    await deleteCsr(user);
    const env = await freshCacheEnv();
    const burst = await countCsrsCreated(user, () => fanOut(n, args, env));
    walls.push(burst.wall);
    csrs.push(burst.csrs);
    succeeded.push(burst.succeeded);
    for (const failure of burst.failures) failures.add(failure);
  }
  const argv = await guard.stop();
  const ms = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
  log(`parallel${n}: walls ms ${ms(walls)}; single ms ${ms(singles)}; CSRs ${csrs.join(' ')}; succeeded ${succeeded.join(' ')}`);
  const worstCsrs = csrs.find((c) => c !== 1) ?? 1;
  const fewest = Math.min(...succeeded);
  Object.assign(results.raw, {
    parallel32Csrs: worstCsrs,
    parallel32Succeeded: fewest,
    parallel32WallMs: median(walls),
    parallel32SingleMs: median(singles),
  });
  results.raw.argvTokenLeaks = (results.raw.argvTokenLeaks ?? 0) + argv.leaks.length;
  if (argv.leaks.length) results.notes.push(`TOKEN IN ARGV during parallel32: ${argv.leaks.join('; ')}`);
  if (failures.size) results.notes.push(`parallel32 failures: ${[...failures].join(' | ')}`);
  results.rows.push({
    figure: 'parallel32Csrs',
    ours: worstCsrs,
    reference: null,
    unit: '',
    target: { kind: 'equal', value: 1 },
    note: `(CSRs created by ${n} processes, per round: ${csrs.join(', ')})`,
  });
  results.rows.push({
    figure: 'parallel32Succeeded',
    ours: fewest,
    reference: null,
    unit: '',
    target: { kind: 'equal', value: n },
    note: `(fewest successes in a round; ${succeeded.join(', ')})`,
  });
  results.rows.push({
    figure: 'parallel32VsSingle',
    ours: median(walls),
    reference: median(singles),
    unit: 'ms',
    target: { kind: 'lower', value: 1.5 },
    note: `(median of ${rounds} rounds, ${n} calls vs 1 call started by one sh; walls ${ms(walls)})`,
  });
}
