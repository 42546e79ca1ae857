// Parts 5 and 6, on a control plane running kube-controller-manager's csrapproving controller.
// 5: approvals/s of kcm (500 kubelet client CSRs, created as admin) against ours (500 user CSRs,
//    created with the user's token), each burst created 16 in flight and timed until all Approved.
// 6: the approver's memory with ~10,000 CSRs in the cluster: RSS before, VmHWM after processing
//    them, and the peak of a fresh approver whose first list holds them all.
import { cluster } from '../e2e/cluster.js';
import type { ProvisionedUser } from '../e2e/provision.js';
import { adminApi, tokenApi } from './api-client.js';
import type { Approver } from './approver-process.js';
import { burst, listCsrs } from './csr-burst.js';
import { kubeletCsrs, names, userCsrFactory } from './csr-manifests.js';
import { log, results } from './results.js';

const concurrency = 16;
const rate = (n: number, ms: number) => (n * 1000) / ms;

export async function approverVsKcm(user: ProvisionedUser, n: number, start: () => Promise<Approver>): Promise<Approver> {
  const admin = await adminApi(cluster.adminKubeconfig, cluster.server, cluster.caFile, concurrency);
  const kubelet = await kubeletCsrs(n);
  log(`kcm csrapproving: ${n} kubelet client CSRs`);
  const k = await burst({
    creator: admin,
    watcher: admin,
    names: [...kubelet.keys()],
    manifest: (name) => kubelet.get(name),
    concurrency,
    timeoutMs: 300_000,
  });
  log(`kcm: ${JSON.stringify(k)}`);
  const approver = await start();
  const before = await approver.memory();
  Object.assign(results.raw, { approverRssStartKiB: before.rssKiB, approverHwmStartKiB: before.hwmKiB });
  const manifest = await userCsrFactory(user.name, user.groups);
  const creator = await tokenApi(cluster.server, cluster.caFile, user.tokenFile, concurrency);
  log(`our approver: ${n} user CSRs`);
  const o = await burst({ creator, watcher: admin, names: names('bench-user-', n), manifest, concurrency, timeoutMs: 300_000 });
  log(`ours: ${JSON.stringify(o)}`);
  for (const [who, r] of [
    ['kcm', k],
    ['ours', o],
  ] as const) {
    if (!r.complete || r.denied || r.createErrors.length)
      results.notes.push(
        `approverVsKcm ${who}: ${r.created}/${n} created, ${r.approved} approved, ${r.denied} denied${r.createErrors.length ? `; ${r.createErrors[0]}` : ''}`,
      );
  }
  const kcmRate = rate(k.approved, k.approvedMs);
  const ourRate = rate(o.approved, o.approvedMs);
  Object.assign(results.raw, {
    kcmApprovalsPerS: kcmRate,
    kcmAllApprovedMs: k.approvedMs,
    kcmCreateMs: k.createMs,
    approverApprovalsPerS: ourRate,
    approverAllApprovedMs: o.approvedMs,
    approverCreateMs: o.createMs,
  });
  results.rows.push({
    figure: 'approverVsKcm',
    ours: ourRate,
    reference: kcmRate,
    unit: '/s',
    target: { kind: 'higher', value: 1 },
    note: `(approvals/s, ${n} CSRs each, ${concurrency} creates in flight; all approved in ${(o.approvedMs / 1000).toFixed(1)} s vs ${(k.approvedMs / 1000).toFixed(1)} s)`,
  });
  return approver;
}

export async function approverMemory(
  user: ProvisionedUser,
  total: number,
  approver: Approver,
  start: () => Promise<Approver>,
): Promise<Approver | undefined> {
  const admin = await adminApi(cluster.adminKubeconfig, cluster.server, cluster.caFile, concurrency);
  let existing = 0;
  await listCsrs(admin, () => (existing += 1));
  const n = Math.max(0, total - existing);
  const manifest = await userCsrFactory(user.name, user.groups);
  const creator = await tokenApi(cluster.server, cluster.caFile, user.tokenFile, concurrency);
  const before = await approver.memory();
  log(`memory: ${existing} CSRs in the cluster, creating ${n} more; approver RSS ${before.rssKiB} KiB`);
  const samples: number[] = [];
  const sampler = setInterval(
    () =>
      void approver.memory().then(
        (m) => samples.push(m.rssKiB),
        () => undefined,
      ),
    5000,
  );
  // a memory figure, not a rate: give a loaded machine time to decide them all (9000 took 173-410 s)
  const r = await burst({ creator, watcher: admin, names: names('bench-mem-', n), manifest, concurrency, timeoutMs: 900_000 }).finally(() =>
    clearInterval(sampler),
  );
  log(`memory burst: ${JSON.stringify(r)}; RSS every 5 s (KiB): ${samples.join(' ')}`);
  await new Promise((resolve) => setTimeout(resolve, 2000)); // let it drain the events that follow (signing)
  const after = await approver.memory();
  const inCluster = existing + r.created;
  Object.assign(results.raw, {
    memoryCsrsInCluster: inCluster,
    memoryCsrsDecided: r.approved + r.denied,
    memoryBurstApprovedMs: r.approvedMs,
    approverRssBeforeKiB: before.rssKiB,
    approverRssMaxDuringKiB: Math.max(before.rssKiB, ...samples),
    approverRssAfterKiB: after.rssKiB,
    approverPeakKiB: after.hwmKiB,
  });
  if (!r.complete) results.notes.push(`approver memory: only ${r.approved + r.denied}/${n} decided within 15 min (${r.created} created)`);
  const note = `(VmHWM with ${inCluster} CSRs in the cluster, ${r.approved} approved by it in ${(r.approvedMs / 1000).toFixed(0)} s; RSS before ${before.rssKiB} KiB, max sampled ${Math.max(before.rssKiB, ...samples)}, after ${after.rssKiB} KiB)`;
  results.rows.push({ figure: 'approverPeakMemory', ours: after.hwmKiB, reference: before.rssKiB, unit: 'KiB', target: null, note });
  await approver.stop();
  log('restarting the approver on a full cluster');
  try {
    const fresh = await start();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const restart = await fresh.memory();
    results.raw.approverRestartPeakKiB = restart.hwmKiB;
    results.rows.push({
      figure: 'approverRestartPeak (extra)',
      ours: restart.hwmKiB,
      reference: null,
      unit: 'KiB',
      target: null,
      note: `(a fresh approver, ready after listing ${inCluster} CSRs)`,
    });
    return fresh;
  } catch (error) {
    results.raw.approverRestartPeakKiB = null;
    results.notes.push(
      `a fresh approver with ${inCluster} CSRs in the cluster did not become ready: ${(error as Error).message.split('\n')[0]}`,
    );
    return undefined;
  }
}
