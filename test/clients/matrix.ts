// `npm run test:clients`: every client of clients.ts against a control plane of its own, through the
// exec stanza `setup` wrote, once with the default ECDSA key and once with an RSA profile. Each asks
// SelfSubjectReview every 20 s from start until well past its first certificate's NotAfter (600 s
// certificates renewed 15 s after issue), and what it did is asserted against what it is known to do.
// Writes test/clients/LAST-RUN.md after a run of all clients; exits 1 when a client did something else.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, run, sleep, tempDir } from '../e2e/cluster.js';
import { type OwnCluster, startOwnCluster, stopOwnCluster } from '../e2e/long-run/own-cluster.js';
import { grantWatch, loginWithSetup, startApprover } from '../e2e/long-run/users.js';
import { type Sample, type Window, behaviourText, classify, describeAnswer } from './behaviour.js';
import { type ClientSpec, type MatrixUser, type Probe, buildClients, clientFamilies } from './clients.js';
import { trackIssued } from './issued.js';
import { grantSecretList, servedKeyLabel } from './users.js';
import { type Row, renderTable } from './table.js';

const namespace = 'matrix-users';
const workNamespace = 'matrix-work';
const keyTypes = [
  { name: 'matrix.ec', keyAlgorithm: 'ecdsa-p256' },
  { name: 'matrix.rsa', keyAlgorithm: 'rsa-2048' },
] as const;
const profile = { expirationSeconds: 600, renewWindow: [0.35, 0.35], recheckSeconds: 2 };
const intervalMs = 20_000;
const lifetimeMs = 600_000;
const pastNotAfterMs = 60_000;

const log = (line: string) => process.stderr.write(`client matrix: ${line}\n`);

interface Running {
  spec: ClientSpec;
  user: MatrixUser;
  keyAlgorithm: string;
  keyLabel: string;
  probe: Probe;
  samples: Sample[];
}

async function sample(r: Running): Promise<void> {
  const t = Date.now();
  const answer = await r.probe.answer().catch((error: Error) => ({ status: undefined, error: error.message }));
  r.samples.push({ t, done: Date.now(), answer });
}

async function sampleAll(running: Running[]): Promise<void> {
  await Promise.all(running.map(sample));
}

interface KeyedUser {
  user: MatrixUser;
  keyAlgorithm: string;
  keyLabel: string;
  setupStart: number;
}

async function login(cluster: OwnCluster, dir: string): Promise<KeyedUser[]> {
  await cluster.admin('get', 'namespace', workNamespace).catch(() => cluster.admin('create', 'namespace', workNamespace));
  const users = [];
  for (const { name, keyAlgorithm } of keyTypes) {
    const setupStart = Date.now();
    const loggedIn = await loginWithSetup(cluster, dir, name, namespace, { ...profile, keyAlgorithm });
    await grantWatch(cluster, name, workNamespace);
    await grantSecretList(cluster, name, workNamespace);
    const user = { ...loggedIn, namespace: workNamespace };
    users.push({ user, keyAlgorithm, keyLabel: `${keyAlgorithm} (${await servedKeyLabel(user)})`, setupStart });
  }
  return users;
}

/** `npm run test:clients -- fabric8 kube-rs` runs those families only (and writes no LAST-RUN.md). */
function families(args: readonly string[]): readonly string[] {
  const unknown = args.filter((arg) => !clientFamilies.includes(arg));
  if (unknown.length > 0) throw new Error(`unknown client ${unknown.join(', ')}: choose from ${clientFamilies.join(', ')}`);
  return args.length > 0 ? args : clientFamilies;
}

async function main(args: readonly string[]): Promise<number> {
  const date = new Date();
  const only = families(args);
  const { specs, builds } = await buildClients(log, only);
  const dir = await tempDir('client-matrix');
  let cluster: OwnCluster | undefined;
  let approver: { stop: () => Promise<void> } | undefined;
  const running: Running[] = [];
  try {
    cluster = await startOwnCluster('matrix');
    approver = startApprover(cluster, namespace);
    const users = await login(cluster, dir);
    const trackers = new Map(
      users.map(({ user }) => [user, trackIssued(path.join(user.env.KUBE_CSR_LOGIN_CACHE_DIR ?? '', 'default/credential.json'))]),
    );
    const bounds = new Map<string, Window>();
    // One client at a time per user (a JVM starting takes a core): each answers once before the next starts.
    await Promise.all(
      users.map(async ({ user, keyAlgorithm, keyLabel, setupStart }) => {
        bounds.set(user.name, { validUntil: setupStart + lifetimeMs, expiredFrom: 0, exact: false });
        for (const spec of specs) {
          const r: Running = { spec, user, keyAlgorithm, keyLabel, probe: spec.start(user), samples: [] };
          running.push(r);
          await sample(r);
        }
      }),
    );
    for (const { user } of users) {
      const firsts = running.filter((r) => r.user === user).map((r) => r.samples[0]?.done ?? Date.now());
      const window = bounds.get(user.name);
      if (window) window.expiredFrom = Math.max(...firsts) + lifetimeMs;
    }
    const end = Math.max(...[...bounds.values()].map((w) => w.expiredFrom)) + pastNotAfterMs;
    log(`${running.length} clients answered once; sampling every ${intervalMs / 1000} s until ${new Date(end).toISOString()}`);
    while (Date.now() < end) {
      await sleep(intervalMs);
      await sampleAll(running);
    }
    const order = (r: Running) => users.findIndex((u) => u.user === r.user) * specs.length + specs.indexOf(r.spec);
    running.sort((a, b) => order(a) - order(b));
    for (const tracker of trackers.values()) tracker.stop();
    /** The client's first certificate's NotAfter when the tracker saw it, else the user's bounds. */
    const windowOf = (r: Running): Window => {
      const first = r.samples[0]?.answer;
      const notAfter = first && 'credentialId' in first ? trackers.get(r.user)?.notAfter(first.credentialId) : undefined;
      return notAfter === undefined ? (bounds.get(r.user.name) as Window) : { validUntil: notAfter, expiredFrom: notAfter, exact: true };
    };
    const rows: Row[] = running.map((r) => {
      const verdict = classify(r.samples, windowOf(r), r.user.name);
      const expected = typeof r.spec.expected === 'function' ? r.spec.expected(r.keyAlgorithm) : r.spec.expected;
      const pass = verdict.behaviour === expected;
      if (!pass) log(`${r.spec.name} ${r.spec.version} ${r.keyLabel}: ${r.samples.map((s) => describeAnswer(s.answer)).join('; ')}`);
      return {
        client: r.spec.name,
        version: r.spec.version,
        keyType: r.keyLabel,
        behaviour: `${behaviourText[verdict.behaviour]} (${verdict.detail})`,
        result: pass ? 'pass' : `FAIL: expected "${behaviourText[expected]}"`,
      };
    });
    const server = (await run(cluster.kubectl, ['--kubeconfig', cluster.adminKubeconfig, 'version', '-o', 'json'])).stdout;
    const serverVersion = JSON.parse(server).serverVersion?.gitVersion ?? 'unknown';
    const table = renderTable({ date, serverVersion, rows, builds });
    if (only === clientFamilies) await writeFile(path.join(repoRoot, 'test/clients/LAST-RUN.md'), table);
    const failed = rows.filter((row) => row.result !== 'pass').length;
    process.stdout.write(`${table}\n${rows.length - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    await Promise.all(running.map((r) => r.probe.close().catch(() => undefined)));
    await approver?.stop();
    await stopOwnCluster(cluster);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`client matrix: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
