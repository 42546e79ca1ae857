// Parts 3 and 4: what kubectl waits for when there is no usable certificate. A blocking renewal
// (empty cache, approver running) against the seed's manual flow scripted, interleaved; then 32
// get-credential processes at once on an empty cache: how many CSRs, all succeed, wall time.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cluster, launcher } from '../e2e/cluster.js';
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
  results.rows.push({ figure: 'blockingRenewalVsSeedFlow', ours: median(ours), reference: median(seed), unit: 'ms', target: { kind: 'lower', value: 0.5 }, note: `(${runs} runs each; ours approved by ${approvedBy})` });
  results.notes.push(`seed flow: user ${seedUser.name} outside the users namespace (the approver leaves it alone), openssl RSA-2048, kubectl create, admin kubectl certificate approve, kubectl get csr polled; argv checked for tokens in ${argv.samples} samples: ${argv.leaks.length} leaks`);
}

export async function parallel32(user: ProvisionedUser, n = 32): Promise<void> {
  await deleteCsr(user);
  const api = await adminApi(cluster.adminKubeconfig, cluster.server, cluster.caFile);
  const name = `user=${user.name}`;
  let added = 0;
  const rv = await listCsrs(api, () => undefined);
  const watch = api.watch(`/apis/certificates.k8s.io/v1/certificatesigningrequests?watch=1&resourceVersion=${rv}`, (type, object) => {
    if (type === 'ADDED' && (object as { metadata?: { name?: unknown } } | null)?.metadata?.name === name) added += 1;
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const env = await freshCacheEnv();
  const args = pluginArgs(user);
  const guard = guardArgv([user.token]);
  const start = performance.now();
  const runs = await Promise.all(Array.from({ length: n }, () => timed(launcher, args, env)));
  const wall = performance.now() - start;
  const argv = await guard.stop();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  watch.stop();
  const succeeded = runs.filter((r) => r.code === 0 && r.stdout.includes('"clientCertificateData"')).length;
  const failures = runs.filter((r) => r.code !== 0).map((r) => r.stderr.trim().split('\n')[0]);
  Object.assign(results.raw, { parallel32Csrs: added, parallel32Succeeded: succeeded, parallel32WallMs: wall });
  results.raw.argvTokenLeaks = (results.raw.argvTokenLeaks ?? 0) + argv.leaks.length;
  if (argv.leaks.length) results.notes.push(`TOKEN IN ARGV during parallel32: ${argv.leaks.join('; ')}`);
  if (failures.length) results.notes.push(`parallel32 failures: ${[...new Set(failures)].join(' | ')}`);
  results.rows.push({ figure: 'parallel32Csrs', ours: added, reference: null, unit: '', target: { kind: 'equal', value: 1 }, note: `(CSRs created by ${n} processes; ${succeeded}/${n} succeeded)` });
  results.rows.push({ figure: 'parallel32Succeeded', ours: succeeded, reference: null, unit: '', target: { kind: 'equal', value: n } });
  results.rows.push({ figure: 'parallel32VsSingle', ours: wall, reference: results.raw.blockingRenewalMs ?? null, unit: 'ms', target: { kind: 'lower', value: 1.5 }, note: '(wall of all 32 vs one blocking renewal)' });
}
