// Failover rounds on the real control plane, shared by the e2e test (a few rounds) and the bench
// (20): two approver replicas with leader election, a burst of CSRs from one user, `kill -9` of the
// leader mid-burst (at a seeded random point), then checks that every CSR was decided exactly once
// (one Approved condition, no Denied, at most one decision Event) and how long until the standby
// held the Lease (its acquireTime, written by its own clock, against the kill on the same machine).
import { type ChildProcess, spawn } from 'node:child_process';
import { adminApi, type BenchApi, tokenApi } from '../bench/api-client.js';
import { names, userCsrFactory } from '../bench/csr-manifests.js';
import { cluster, launcher, sleep } from './cluster.js';
import type { ProvisionedUser } from './provision.js';

const csrPath = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const leaseName = 'kube-csr-login-approver';
export const leaseDurationMs = 15_000;

export interface Replica {
  child: ChildProcess;
  exited: Promise<void>;
}

export interface RoundResult {
  csrs: number;
  /** Decided when the leader was killed. */
  decidedAtKill: number;
  /** ms from the kill to the new leader's acquireTime. */
  takeoverMs: number;
  approved: number;
  /** Still undecided when the round gave up waiting. */
  stuck: number;
  /** CSRs with more than one decision condition or decision Event, or any Denied. */
  doubleOrWrong: number;
  /** Approved CSRs without a decision Event (the killed leader may die between the two). */
  missingEvents: number;
  allDecidedMs: number;
}

export function startReplica(namespace: string, kubeconfig: string): Replica {
  const child = spawn(launcher, ['approver', '--kubeconfig', kubeconfig, '--metrics-addr', '127.0.0.1:0', '--users-namespace', namespace], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume(); // logs are not read: decisions are checked on the API server
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited };
}

export async function stopReplica(replica: Replica): Promise<void> {
  if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGTERM');
  await Promise.race([replica.exited, sleep(20_000)]);
  if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
  await replica.exited;
}

interface Lease {
  holder: string;
  acquireTime: string;
}

async function lease(api: BenchApi, namespace: string): Promise<Lease | undefined> {
  const r = await api.request('GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${leaseName}`);
  const spec = (r.body as { spec?: { holderIdentity?: string; acquireTime?: string } }).spec;
  return r.status === 200 && spec ? { holder: spec.holderIdentity ?? '', acquireTime: spec.acquireTime ?? '' } : undefined;
}

/** Waits until one of the replicas holds the lease; returns it. */
async function leaderOf(api: BenchApi, namespace: string, replicas: Replica[], timeoutMs = 60_000): Promise<Replica> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const holder = (await lease(api, namespace))?.holder ?? '';
    const found = replicas.find((r) => holder.endsWith(`_${r.child.pid}`));
    if (found) return found;
    await sleep(100);
  }
  throw new Error('no replica became the leader');
}

interface Decisions {
  /** name -> [approved conditions, denied conditions] */
  conditions: Map<string, [number, number]>;
  events: Map<string, number>;
}

async function listAll(api: BenchApi, path: string, each: (item: Record<string, unknown>) => void): Promise<void> {
  let next = '';
  for (;;) {
    const r = await api.request(
      'GET',
      `${path}${path.includes('?') ? '&' : '?'}limit=500${next ? `&continue=${encodeURIComponent(next)}` : ''}`,
    );
    if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`);
    const body = r.body as { items?: Record<string, unknown>[]; metadata?: { continue?: string } };
    for (const item of body.items ?? []) each(item);
    if (!body.metadata?.continue) return;
    next = body.metadata.continue;
  }
}

async function decisions(api: BenchApi, prefix: string, selector: string): Promise<Decisions> {
  const conditions = new Map<string, [number, number]>();
  await listAll(api, `${csrPath}?labelSelector=${encodeURIComponent(selector)}`, (item) => {
    const name = String((item.metadata as { name?: string }).name);
    if (!name.startsWith(prefix)) return;
    const types = ((item.status as { conditions?: { type?: string }[] } | undefined)?.conditions ?? []).map((c) => c.type);
    conditions.set(name, [types.filter((t) => t === 'Approved').length, types.filter((t) => t === 'Denied').length]);
  });
  const events = new Map<string, number>();
  await listAll(api, '/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DCertificateSigningRequest', (item) => {
    const name = String((item.involvedObject as { name?: string }).name);
    const source = (item.source as { component?: string } | undefined)?.component;
    if (name.startsWith(prefix) && source === 'kube-csr-login-approver') events.set(name, (events.get(name) ?? 0) + 1);
  });
  return { conditions, events };
}

/** Follows the decisions of one round's CSRs (label selector) with a list and a watch. */
async function trackDecisions(api: BenchApi, selector: string): Promise<{ decided: () => number; stop: () => void }> {
  const decided = new Set<string>();
  const note = (object: unknown) => {
    const o = object as { metadata?: { name?: string }; status?: { conditions?: unknown[] } } | null;
    if (o?.metadata?.name && (o.status?.conditions ?? []).length > 0) decided.add(o.metadata.name);
  };
  const query = `labelSelector=${encodeURIComponent(selector)}`;
  let stopped = false;
  let current: { stop(): void } | undefined;
  const follow = async () => {
    while (!stopped) {
      const r = await api.request('GET', `${csrPath}?${query}`);
      const body = r.body as { items?: unknown[]; metadata?: { resourceVersion?: string } };
      for (const item of body.items ?? []) note(item);
      const w = api.watch(
        `${csrPath}?${query}&watch=1&resourceVersion=${body.metadata?.resourceVersion ?? ''}`,
        (type, object) => type !== 'ERROR' && note(object),
      );
      current = w;
      await w.ended;
    }
  };
  void follow();
  return {
    decided: () => decided.size,
    stop: () => {
      stopped = true;
      current?.stop();
    },
  };
}

/**
 * One round: `replicas` are running (two); creates n CSRs, kills the leader with SIGKILL once
 * `killAfter` are decided, waits for the rest, starts a replacement standby. Returns the result and
 * the replicas for the next round.
 */
export async function failoverRound(
  round: number,
  user: ProvisionedUser,
  namespace: string,
  replicas: Replica[],
  n: number,
  killAfter: number,
  log: (line: string) => void,
): Promise<{ result: RoundResult; replicas: Replica[] }> {
  const api = await adminApi(cluster.adminKubeconfig, cluster.server, cluster.caFile, 8);
  const creator = await tokenApi(cluster.server, cluster.caFile, user.tokenFile, 16);
  const userManifest = await userCsrFactory(user.name, user.groups);
  const prefix = `failover-${Date.now().toString(36)}-r${round}-`;
  const selector = `kube-csr-login.io/failover=${prefix.slice(0, -1)}`;
  const manifest = (name: string) => {
    const object = userManifest(name) as { metadata: { labels: Record<string, string> } };
    object.metadata.labels['kube-csr-login.io/failover'] = prefix.slice(0, -1);
    return object;
  };
  const leader = await leaderOf(api, namespace, replicas);
  const tracker = await trackDecisions(api, selector);
  const queue = names(prefix, n);
  const start = performance.now();
  const creating = Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const r = await creator.request('POST', csrPath, manifest(name));
        if (r.status !== 201) throw new Error(`create ${name}: HTTP ${r.status}`);
      }
    }),
  );
  const decidedCount = async () => tracker.decided();
  let decidedAtKill = 0;
  while ((decidedAtKill = await decidedCount()) < killAfter && performance.now() - start < 120_000) await sleep(50);
  const killedAt = Date.now();
  leader.child.kill('SIGKILL');
  await leader.exited;
  log(`round ${round}: killed leader ${leader.child.pid} with ${decidedAtKill}/${n} decided`);
  await creating;
  const standby = replicas.filter((r) => r !== leader);
  const next = await leaderOf(api, namespace, standby, 60_000);
  const acquired = Date.parse((await lease(api, namespace))?.acquireTime ?? '');
  const takeoverMs = acquired - killedAt;
  let decided = await decidedCount();
  const deadline = performance.now() + 180_000;
  while (decided < n && performance.now() < deadline) {
    await sleep(100);
    decided = await decidedCount();
  }
  const allDecidedMs = performance.now() - start;
  tracker.stop();
  await sleep(1_000); // the last decision Events are posted after the approvals
  const found = await decisions(api, prefix, selector);
  let approved = 0;
  let doubleOrWrong = 0;
  let missingEvents = 0;
  for (const [name, [approvedConditions, deniedConditions]] of found.conditions) {
    const events = found.events.get(name) ?? 0;
    if (approvedConditions === 1 && deniedConditions === 0) approved += 1;
    if (approvedConditions > 1 || deniedConditions > 0 || events > 1) doubleOrWrong += 1;
    if (approvedConditions === 1 && events === 0) missingEvents += 1;
  }
  const result: RoundResult = {
    csrs: n,
    decidedAtKill,
    takeoverMs,
    approved,
    stuck: n - decided,
    doubleOrWrong,
    missingEvents,
    allDecidedMs,
  };
  // keep the cluster small over 20 rounds (Events expire by themselves after an hour)
  await api.request('DELETE', `${csrPath}?labelSelector=${encodeURIComponent(selector)}`);
  log(`round ${round}: ${JSON.stringify(result)} (new leader ${next.child.pid})`);
  return { result, replicas: [...standby, startReplica(namespace, cluster.adminKubeconfig)] };
}
