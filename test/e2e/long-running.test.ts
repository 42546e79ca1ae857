// Long-running clients across certificate renewals, on the suite's own control plane (it restarts the
// API server): a client-go program loads the kubeconfig `setup` wrote, keeps a ConfigMap watch open and
// asks SelfSubjectReview who it is every 200 ms (test/cluster/gomod/longrun-client), while the plugin
// renews every ~11 s (600 s certificates, renewal at 34.5 % of their 900 s validity: the signer
// backdates NotBefore by 5 min; recheckSeconds 2 instead of the default 60 past the deadline).
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { sleep, tempDir } from './cluster.js';
import { type Outage, type Verdict, analyse } from './long-run/analyse.js';
import { type LongRunClient, buildLongRunClient, count, startLongRunClient } from './long-run/client-go.js';
import { type OwnCluster, restartApiserver, startOwnCluster, stopOwnCluster } from './long-run/own-cluster.js';
import { type LoggedInUser, grantWatch, loginWithSetup, startApprover } from './long-run/users.js';

jest.setTimeout(420_000);

const recheckSeconds = 2;
const profile = { expirationSeconds: 600, renewWindow: [0.345, 0.345], recheckSeconds };
const namespace = 'longrun-users';
const watchNamespace = 'longrun-watch';
let cluster: OwnCluster | undefined;
let binary: string;
let dir: string;
let approver: { stop: () => Promise<void> } | undefined;
const clients: LongRunClient[] = [];

beforeAll(async () => {
  dir = await tempDir('long-running');
  [binary, cluster] = await Promise.all([buildLongRunClient(), startOwnCluster('long-running')]);
  approver = startApprover(cluster, namespace);
  const admin = cluster.admin;
  await admin('get', 'namespace', watchNamespace).catch(() => admin('create', 'namespace', watchNamespace));
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.stop().catch(() => undefined)));
  await approver?.stop();
  await stopOwnCluster(cluster);
});

function own(): OwnCluster {
  if (!cluster) throw new Error('the control plane did not start');
  return cluster;
}

async function login(name: string): Promise<LoggedInUser> {
  const user = await loginWithSetup(own(), dir, name, namespace, profile);
  await grantWatch(own(), name, watchNamespace);
  return user;
}

function start(user: LoggedInUser) {
  const args = [
    '-kubeconfig',
    user.kubeconfig,
    '-admin-kubeconfig',
    own().adminKubeconfig,
    '-csr',
    user.csrName,
    '-namespace',
    watchNamespace,
  ];
  const client = startLongRunClient(binary, args, user.env);
  clients.push(client);
  return client;
}

/** One line on stderr with the figures README quotes. */
function report(name: string, verdict: Verdict): void {
  const perRotation = verdict.rotations.map((r) => `${r.failedRequests}/${r.watchEnds}`).join(' ');
  process.stderr.write(
    `long-running client-go (${name}): ${verdict.requests} requests in ${Math.round(verdict.durationMs / 1000)} s, ${verdict.certificates.length} certificates, ` +
      `${verdict.rotations.length} rotations (failed requests/watch ends each: ${perRotation}), ${verdict.failedInOutages} failed requests and ${verdict.watchEndsInOutages} watch ends during the outage, ` +
      `plugin runs ${verdict.pluginRuns}, re-watch after ${verdict.rewatchMs.map((ms) => Math.round(ms)).join(', ')} ms, client-go retries ${verdict.retries}\n`,
  );
}

/** What every run must show, whatever happened to the server meanwhile. */
function expectHealthy(verdict: Verdict): void {
  expect(verdict.unexplainedFailures).toEqual([]);
  expect(verdict.unexplainedWatchEnds).toEqual([]);
  // Requests are sequential: at most the one in flight fails at a swap, and the watch.
  expect(verdict.rotations.filter((r) => r.failedRequests > 1 || r.watchEnds > 1)).toEqual([]);
  expect(verdict.rewatchMs.filter((ms) => ms >= 10_000)).toEqual([]);
  expect(verdict.watchOpenAtEnd).toBe(true);
  expect(verdict.notIssuedToUs).toEqual([]);
  expect(verdict.outsideValidity).toBe(0);
  // The plugin hands each new certificate over once: one swap per renewal, none in between (it
  // re-hands the old one past the deadline, which client-go finds DeepEqual and keeps its connections).
  expect(verdict.rotations.length).toBe(verdict.certificates.length - 1);
}

/** Past a deadline client-go runs the plugin at most every recheckSeconds - 1 s (whole seconds). */
const runsWhileWaiting = (ms: number) => Math.ceil(ms / ((recheckSeconds - 1) * 1000));

async function touchAndSeeEvent(client: LongRunClient, name: string): Promise<void> {
  const touched = Date.now();
  await own().admin('create', 'configmap', `${name}-${touched}`, '-n', watchNamespace);
  await client.waitFor(`the watch to deliver ${name}`, (events) => events.some((e) => e.kind === 'watch-event' && e.t >= touched), 20_000);
}

test('a client-go program keeps working across 3 renewals: failures only at the certificate swaps', async () => {
  const user = await login('longrun.go');
  const client = start(user);
  await client.waitFor('3 certificate rotations', (events) => count(events, 'rotation') >= 3, 150_000);
  await touchAndSeeEvent(client, 'after-three-renewals');
  const verdict = analyse(await client.stop());
  report('3 renewals', verdict);
  expectHealthy(verdict);
  expect(verdict.rotations.length).toBeGreaterThanOrEqual(3);
  expect(verdict.certificates.length).toBeGreaterThanOrEqual(4);
  expect(verdict.failedInOutages).toBe(0);
  expect(verdict.pluginFailures).toBe(0);
  // Once at start, then at each deadline (the old certificate, renewal started) and once or twice
  // more until the renewed one is there.
  expect(verdict.pluginRuns).toBeLessThanOrEqual(1 + 3 * verdict.rotations.length);
});

test('it recovers from an API server restart and rides out a stopped approver on the valid certificate', async () => {
  const user = await login('longrun.restart');
  const client = start(user);
  await client.waitFor('a first rotation', (events) => count(events, 'rotation') >= 1, 60_000);

  const outage: Outage = await restartApiserver(own(), 2);
  await client.waitFor(
    'a request to succeed after the restart',
    (events) => events.some((e) => e.kind === 'request' && e.ok && e.start > outage.to),
    30_000,
  );
  await client.waitFor('a rotation after the restart', (events) => count(events, 'rotation', outage.to) >= 1, 90_000);

  // Approver stopped: the background renewal's CSR stays pending past the deadline.
  await approver?.stop();
  const approverStopped = Date.now();
  const rotationsBefore = count(client.events, 'rotation');
  const pending = async () => {
    const conditions = await own().admin(
      'get',
      'csr',
      user.csrName,
      '--ignore-not-found',
      '-o',
      'jsonpath={.metadata.name}/{.status.conditions[*].type}',
    );
    return conditions === `${user.csrName}/`;
  };
  for (let i = 0; i < 60 && !(await pending()); i += 1) await sleep(1000);
  expect(await pending()).toBe(true);
  const pendingSince = Date.now();
  await sleep(3 * recheckSeconds * 1000 + 1000); // client-go asks the plugin again at least twice meanwhile
  const pendingUntil = Date.now();
  approver = startApprover(own(), namespace);
  await client.waitFor(
    'the renewed certificate once the approver is back',
    (events) => count(events, 'rotation') > rotationsBefore,
    30_000,
  );
  const recoveredAt = Date.now();
  const recovered = recoveredAt - pendingUntil;
  await touchAndSeeEvent(client, 'after-restart-and-approver');
  const events = await client.stop();

  const verdict = analyse(events, [outage]);
  report('API server restart + approver stopped', verdict);
  process.stderr.write(
    `  API server down ${outage.to - outage.from} ms; approver stopped: renewed certificate in use ${recovered} ms after it was back\n`,
  );
  expectHealthy(verdict);
  expect(verdict.rotations.length).toBeGreaterThanOrEqual(3);
  expect(verdict.failedInOutages).toBeGreaterThan(0); // the restart was seen
  // While nobody approved: every request succeeded, all with the one certificate the client had.
  const during = events.filter((e) => e.kind === 'request' && e.start >= pendingSince && e.end <= pendingUntil);
  expect(during.length).toBeGreaterThan(10);
  expect(new Set(during.map((e) => (e.kind === 'request' && e.ok ? e.credentialId : 'failed'))).size).toBe(1);
  expect(during.every((e) => e.kind === 'request' && e.ok)).toBe(true);
  expect(recovered).toBeLessThan(60_000); // the approver's start, then one recheck interval
  // Bounded: besides the renewals, at most one run per recheck interval while down or unapproved.
  const waitedMs = outage.to - outage.from + (recoveredAt - approverStopped);
  expect(verdict.pluginRuns).toBeLessThanOrEqual(1 + 3 * verdict.rotations.length + runsWhileWaiting(waitedMs));
});
