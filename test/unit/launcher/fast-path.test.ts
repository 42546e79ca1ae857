// The POSIX launcher's fast path (and the Node entry's copy of it) must answer exactly as the full
// Node path does: same output, same exit code, over the same cache states. Each state is run
// through all three (fast paths first: the full path may refresh the file afterwards).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { processStartTime, releaseClaim } from '../../../src/cache/claim.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { until } from '../../helpers/until.js';
import { jeanDoeArgs } from '../../helpers/plugin-args.js';

const launcher = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/kube-csr-login');
const token = 'launcher-test-token';
let api: FakeApi;
let root: string;
let baseArgs: string[];

interface Result {
  code: number;
  stdout: string;
}

function runLauncher(args: string[], env: Record<string, string>, viaNode = false): Promise<Result> {
  const [command, argv] = viaNode ? [process.execPath, [`${launcher}.cjs`, ...args]] : [launcher, args];
  return new Promise((resolve) => {
    execFile(
      command,
      argv,
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: root,
          KUBE_CSR_LOGIN_CACHE_DIR: path.join(root, 'cache'),
          KUBE_CSR_LOGIN_CONFIG_DIR: path.join(root, 'config'),
          ...env,
        },
      },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

/** The sh fast path, the Node entry's fast path, and the full Node path, in that order. */
async function bothPaths(args: string[], env: Record<string, string> = {}): Promise<{ fast: Result; node: Result }> {
  const fast = await runLauncher(args, env);
  const nodeFast = await runLauncher(args, env, true);
  const node = await runLauncher(args, { ...env, KUBE_CSR_LOGIN_NO_FAST_PATH: '1' });
  expect(nodeFast).toEqual(fast);
  return { fast, node };
}

const fastFile = () => path.join(root, 'cache', 'default', 'exec-credential');
const execInfo = (interactive: boolean, apiVersion = 'client.authentication.k8s.io/v1') =>
  JSON.stringify({ kind: 'ExecCredential', apiVersion, spec: { interactive } });

beforeAll(async () => {
  api = await startFakeApi({ token, now: () => new Date() }); // the launcher and Node read the real clock
  root = await mkdtemp(path.join(os.tmpdir(), 'kcl-launcher-'));
  await mkdir(path.join(root, 'config'), { recursive: true });
  await writeFile(path.join(root, 'token'), token, { mode: 0o600 });
  await writeFile(path.join(root, 'ca.crt'), api.caPem);
  baseArgs = jeanDoeArgs(api.url, root);
});
afterAll(async () => {
  await api.close();
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  // Every state starts from a freshly issued, cached credential with its fast path file.
  await rm(path.join(root, 'cache'), { recursive: true, force: true });
  const first = await runLauncher(baseArgs, { KUBERNETES_EXEC_INFO: execInfo(false) });
  expect(first.code).toBe(0);
});

describe('fast path and Node path agree', () => {
  test('fresh cache, same inputs: served by sh, identical output', async () => {
    const before = await readFile(fastFile(), 'utf8');
    const { fast, node } = await bothPaths(baseArgs, { KUBERNETES_EXEC_INFO: execInfo(false) });
    expect(fast).toEqual(node);
    expect(fast.code).toBe(0);
    expect(`${before.trimEnd().split('\n').at(-1)}\n`).toBe(fast.stdout);
    // and by sh alone: with no Node to fall back to, the same answer
    expect(await runLauncher(baseArgs, { KUBERNETES_EXEC_INFO: execInfo(false), KUBE_CSR_LOGIN_NODE: '/bin/false' })).toEqual(fast);
  });

  test.each([
    ['interactive flips', () => ({ KUBERNETES_EXEC_INFO: execInfo(true) })],
    ['no KUBERNETES_EXEC_INFO', () => ({})],
    ['v1beta1 requested', () => ({ KUBERNETES_EXEC_INFO: execInfo(false, 'client.authentication.k8s.io/v1beta1') })],
    ['malformed KUBERNETES_EXEC_INFO', () => ({ KUBERNETES_EXEC_INFO: '{"kind":' })],
  ])('%s', async (_name, env) => {
    const { fast, node } = await bothPaths(baseArgs, env());
    expect(fast).toEqual(node);
  });

  test('other arguments (another user) are not served from this file', async () => {
    const args = baseArgs.map((a) => (a === 'jean.doe' ? 'other.user' : a));
    const { fast, node } = await bothPaths(args, { KUBERNETES_EXEC_INFO: execInfo(false) });
    expect(fast.stdout).not.toBe('');
    expect(JSON.parse(fast.stdout).status.clientCertificateData).toBe(JSON.parse(node.stdout).status.clientCertificateData);
  });

  test('a token file newer than the cache goes to Node, which checks the identity', async () => {
    await writeFile(path.join(root, 'token'), 'another-token', { mode: 0o600 });
    const { fast, node } = await bothPaths(baseArgs, { KUBERNETES_EXEC_INFO: execInfo(false) });
    expect(fast).toEqual(node);
    expect(fast.code).not.toBe(0); // the fake rejects the new token: no stale credential served
    await writeFile(path.join(root, 'token'), token, { mode: 0o600 });
  });

  test('a deadline in the past goes to Node', async () => {
    const lines = (await readFile(fastFile(), 'utf8')).split('\n');
    lines[1] = '1000';
    await writeFile(fastFile(), lines.join('\n'));
    const { fast, node } = await bothPaths(baseArgs, { KUBERNETES_EXEC_INFO: execInfo(false) });
    expect(fast).toEqual(node);
  });

  test('the deadline is checked without date(1) when the clock files are there, else with date(1) from /bin', async () => {
    const dir = path.dirname(fastFile());
    const deadline = (await readFile(fastFile(), 'utf8')).split('\n')[1];
    expect((await stat(path.join(dir, `deadline.${deadline}`))).mtimeMs).toBe(Number(deadline) * 1000);
    const noTools = { KUBERNETES_EXEC_INFO: execInfo(false), PATH: '/nonexistent', KUBE_CSR_LOGIN_NODE: '/bin/false' };
    const served = await runLauncher(baseArgs, noTools);
    expect(served).toEqual({ code: 0, stdout: `${(await readFile(fastFile(), 'utf8')).trimEnd().split('\n').at(-1)}\n` });
    await rm(path.join(dir, 'clock'));
    // without the clock it needs date(1), which PATH does not decide (a desktop app's PATH may be empty)
    expect(await runLauncher(baseArgs, noTools)).toEqual(served);
  });

  test('a deadline marker in the past goes to Node', async () => {
    const past = Math.floor(Date.now() / 1000) - 10;
    const lines = (await readFile(fastFile(), 'utf8')).split('\n');
    lines[1] = String(past);
    await writeFile(fastFile(), lines.join('\n'));
    const marker = path.join(path.dirname(fastFile()), `deadline.${past}`);
    await writeFile(marker, '', { mode: 0o600 });
    await utimes(marker, past, past);
    expect((await runLauncher(baseArgs, { KUBERNETES_EXEC_INFO: execInfo(false), KUBE_CSR_LOGIN_NODE: '/bin/false' })).code).toBe(1);
    const { fast, node } = await bothPaths(baseArgs, { KUBERNETES_EXEC_INFO: execInfo(false) });
    expect(fast).toEqual(node);
    await expect(stat(marker)).rejects.toThrow(); // Node rendered a new deadline and dropped the old marker
  });

  test('a corrupted fast path file goes to Node', async () => {
    await writeFile(fastFile(), 'garbage\n');
    const { fast, node } = await bothPaths(baseArgs, { KUBERNETES_EXEC_INFO: execInfo(false) });
    expect(fast).toEqual(node);
    expect(fast.code).toBe(0);
  });

  test('a profile created after the cache goes to Node', async () => {
    const profile = path.join(root, 'config', 'profiles', 'default.json');
    await mkdir(path.dirname(profile), { recursive: true });
    await writeFile(profile, JSON.stringify({ version: 1, groups: ['devs', 'ops'] }));
    const { fast, node } = await bothPaths(baseArgs, { KUBERNETES_EXEC_INFO: execInfo(false) });
    expect(fast).toEqual(node);
    await rm(profile);
  });

  test('a missing token file fails the same way on both paths', async () => {
    const args = baseArgs.map((a) => (a.endsWith('/token') ? path.join(root, 'missing-token') : a));
    const { fast, node } = await bothPaths(args, { KUBERNETES_EXEC_INFO: execInfo(false) });
    expect(fast).toEqual(node);
    expect(fast.stdout).toBe('');
  });

  test('an old fast path file behind a touched CA file goes to Node', async () => {
    const future = new Date(Date.now() + 5000);
    await utimes(path.join(root, 'ca.crt'), future, future);
    const { fast, node } = await bothPaths(baseArgs, { KUBERNETES_EXEC_INFO: execInfo(false) });
    expect(fast).toEqual(node);
  });
});

describe('concurrent calls without a usable credential', () => {
  const claim = () => path.join(root, 'cache', 'default', 'renew.claim');
  const waiters = () => path.join(root, 'cache', 'default', 'renew.waiters');
  const noNode = { KUBE_CSR_LOGIN_NODE: '/bin/false' }; // a call that reaches Node fails with exit 1
  const env = { KUBERNETES_EXEC_INFO: execInfo(false) };
  beforeEach(async () => {
    // earlier tests dated the token and CA files ahead; the fast path only serves files newer than them
    const past = new Date(Date.now() - 60_000);
    for (const file of ['token', 'ca.crt']) await utimes(path.join(root, file), past, past);
    await rm(path.join(root, 'cache'), { recursive: true, force: true });
    expect((await runLauncher(baseArgs, env)).code).toBe(0);
  });

  test('while a live claimer renews, the others wait in sh and serve its answer', async () => {
    const answer = await readFile(fastFile(), 'utf8');
    await rm(fastFile());
    const claimer = spawn('sleep', ['10']);
    await writeFile(claim(), `${claimer.pid} ${await processStartTime(claimer.pid ?? 0)}\n`);
    const waiting = runLauncher(baseArgs, { ...env, ...noNode });
    await until(async () => (await readFile(waiters(), 'utf8').catch(() => '')).trim() !== '', 'the launcher to wait in sh');
    await writeFile(fastFile(), answer, { mode: 0o600 });
    const served = await waiting;
    claimer.kill();
    expect(served).toEqual({ code: 0, stdout: `${answer.trimEnd().split('\n').at(-1)}\n` });
  });

  test('the claimer wakes the waiters it finds in renew.waiters', async () => {
    const answer = await readFile(fastFile(), 'utf8');
    await rm(fastFile());
    const claimer = spawn('sleep', ['10']);
    await writeFile(claim(), `${claimer.pid} ${await processStartTime(claimer.pid ?? 0)}\n`);
    const waiting = runLauncher(baseArgs, { ...env, ...noNode });
    await until(async () => (await readFile(waiters(), 'utf8').catch(() => '')).trim() !== '', 'the launcher to register in renew.waiters');
    await writeFile(fastFile(), answer, { mode: 0o600 });
    await releaseClaim(claim(), claimer.pid ?? 0);
    const served = await waiting;
    claimer.kill();
    expect(served).toEqual({ code: 0, stdout: `${answer.trimEnd().split('\n').at(-1)}\n` });
    await expect(readFile(waiters())).rejects.toThrow(); // taken by the claimer
  });

  test('a claim left empty (its owner killed before writing its pid) is removed after the wait', async () => {
    await rm(fastFile());
    await writeFile(claim(), '');
    expect((await runLauncher(baseArgs, { ...env, ...noNode })).code).toBe(1);
    await expect(readFile(claim())).rejects.toThrow();
  });

  test('a claim whose owner died is removed and the call goes to Node', async () => {
    await rm(fastFile());
    await writeFile(claim(), '2147483646\n');
    expect((await runLauncher(baseArgs, { ...env, ...noNode })).code).toBe(1);
    await expect(readFile(claim())).rejects.toThrow();
  });

  test('a claim naming a live process that is not its claimer (pid reused) is cleared at once', async () => {
    await rm(fastFile());
    const unrelated = spawn('sleep', ['100']);
    const pid = unrelated.pid ?? 0;
    try {
      // as a claimer killed by OOM leaves it once its pid is reused: no start time (or another one)
      for (const line of [`${pid}`, `${pid} ${Number(await processStartTime(pid)) - 1}`]) {
        await writeFile(claim(), `${line}\n`);
        const started = Date.now();
        expect((await runLauncher(baseArgs, { ...env, ...noNode })).code).toBe(1); // went to Node
        expect(Date.now() - started).toBeLessThan(3_000); // not the ~5.3 s wait for a live claimer
        await expect(readFile(claim())).rejects.toThrow();
      }
    } finally {
      unrelated.kill();
    }
  });

  test('the claimer signals only waiters that are still the processes they were', async () => {
    // an unrelated process that reacts to SIGURG, whose pid a waiter once had
    const bystander = spawn('sh', ['-c', 'trap "echo URG" URG; while :; do sleep 0.05; done']);
    let seen = '';
    bystander.stdout.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    const pid = bystander.pid ?? 0;
    const start = await processStartTime(pid);
    const release = async (waiterLines: string[]) => {
      await writeFile(claim(), `${process.pid} ${await processStartTime(process.pid)}\n`);
      await writeFile(waiters(), waiterLines.map((line) => `${line}\n`).join(''));
      await releaseClaim(claim(), process.pid);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(readFile(claim())).rejects.toThrow(); // released: the claim was the test's own
    };
    try {
      await release([`${pid}`, `${pid} ${Number(start) + 1}`]);
      expect(seen).toBe('');
      await release([`${pid} ${start}`]); // the same process: woken
      await until(async () => seen.includes('URG'), 'the matching waiter to be signalled');
    } finally {
      bystander.kill();
    }
  });

  test('the claimer goes to Node, which renews, answers and removes its claim', async () => {
    await rm(path.join(root, 'cache'), { recursive: true, force: true });
    const result = await runLauncher(baseArgs, env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"clientCertificateData"');
    await expect(readFile(claim())).rejects.toThrow();
  });

  test('eight calls at once on an empty cache: one renewal, all answered', async () => {
    await rm(path.join(root, 'cache'), { recursive: true, force: true });
    const created = api.created;
    const results = await Promise.all(Array.from({ length: 8 }, () => runLauncher(baseArgs, env)));
    expect(results.map((r) => r.code)).toEqual(results.map(() => 0));
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(api.created - created).toBe(1);
    const dir = path.dirname(fastFile());
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of await readdir(dir)) {
      const info = await stat(path.join(dir, name));
      if (info.isFile()) expect([name, info.mode & 0o777]).toEqual([name, 0o600]); // sh's claim and waiters too
    }
  });
});
