// kill -9 at random points of a renewal, 200 trials against the real control plane (kill delays drawn
// below the recent renewals of that user: timed every few trials and every trial that finished, so
// the cut points follow the machine's speed as other suites start and stop): afterwards
// the cache holds the old valid entry or the new one (never a mix or a partial file), the next
// call succeeds, at most one CSR per user exists, and a dead holder's lock is recovered.
import { spawn } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { seeded } from '../helpers/fuzz.js';
import { admin, launcher, run, tempDir } from './cluster.js';
import { type ProvisionedUser, approveContinuously, provisionUser } from './provision.js';
import { pluginArgs } from '../helpers/plugin-args.js';

jest.setTimeout(900_000);
const users = 8;
const trialsPerUser = 25;
let dir: string;
let provisioned: ProvisionedUser[];
let stops: Array<() => Promise<void>> = [];
/** Median time of an unkilled renewal under the test's own load, before the trials begin. */
let renewalMs: number;
/** Trials between two timed (unkilled) renewals of a user. */
const retimeEvery = 5;

beforeAll(async () => {
  dir = await tempDir('crash');
  provisioned = [];
  for (let i = 0; i < users; i += 1) provisioned.push(await provisionUser(dir, `crash.user${i}`, ['devs']));
  stops = provisioned.map((u) => approveContinuously(u.name));
  const durations = await Promise.all(provisioned.map((user) => timedRenewal(user)));
  renewalMs = durations.sort((a, b) => a - b)[Math.floor(durations.length / 2)] ?? 0;
});
afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
});

/** A renew window of 0.01 % makes every issued certificate due at once, so a --background trial really renews. */
function args(user: ProvisionedUser): string[] {
  const connection = { server: process.env.KCL_SERVER ?? '', caFile: process.env.KCL_CA_FILE ?? '' };
  return pluginArgs({ ...connection, tokenFile: user.tokenFile, user: user.name, groups: 'devs' }, '--renew-window', '0.01');
}

/** Runs the Node entry and SIGKILLs it after delayMs: killed before finishing, or how long it took. */
function killAfter(argv: string[], env: NodeJS.ProcessEnv, delayMs: number): Promise<{ killed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [`${launcher}.cjs`, ...argv], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', ms: performance.now() - started });
    });
  });
}

/** One renewal from an empty cache, not killed; resolves with its duration. */
async function timedRenewal(user: ProvisionedUser): Promise<number> {
  const started = performance.now();
  const result = await run(launcher, args(user), { env: cacheEnv(user), timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`calibration renewal failed: ${result.stderr.trim()}`);
  return performance.now() - started;
}

function cacheEnv(user: ProvisionedUser): NodeJS.ProcessEnv {
  return { KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, `cache-${user.name}`) };
}

/** undefined when there is no entry; throws when the entry is partial or mismatched. */
async function cachedPair(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const entry = JSON.parse(text);
  if (!new X509Certificate(entry.certificateChainPem).checkPrivateKey(createPrivateKey(entry.privateKeyPem))) {
    throw new Error('cached key and certificate do not match');
  }
  return entry.certificateChainPem;
}

let killedMidway = 0;

async function trials(user: ProvisionedUser, seed: number): Promise<string[]> {
  const random = seeded(seed);
  const problems: string[] = [];
  const env = cacheEnv(user);
  const file = path.join(env.KUBE_CSR_LOGIN_CACHE_DIR ?? '', 'default', 'credential.json');
  const timings = [renewalMs];
  for (let trial = 0; trial < trialsPerUser; trial += 1) {
    if (trial > 0 && trial % retimeEvery === 0) {
      // the load changes while other suites run: time a whole renewal again (it leaves a valid entry)
      await rm(file, { force: true });
      timings.push(await timedRenewal(user));
    }
    const recent = timings.slice(-5).sort((a, b) => a - b);
    const currentMs = recent[Math.floor(recent.length / 2)] ?? renewalMs;
    const background = random() < 0.5 && (await cachedPair(file)) !== undefined;
    if (!background) await rm(file, { force: true });
    const before = await cachedPair(file);
    const attempt = await killAfter(background ? [...args(user), '--background'] : args(user), env, Math.floor(random() * currentMs * 1.2));
    if (attempt.killed) killedMidway += 1;
    else timings.push(attempt.ms); // a renewal that finished: how long one takes right now
    try {
      const after = await cachedPair(file); // throws on a partial entry or a key that is not the certificate's
      // the old entry or a new one, never none: a killed background renewal must not lose what it replaces
      if (before !== undefined && after === undefined) problems.push(`trial ${trial}: the cached entry was lost`);
      if (after !== undefined && after !== before && !new X509Certificate(after).subject.split('\n').includes(`CN=${user.name}`)) {
        problems.push(`trial ${trial}: the new entry is not ${user.name}'s`);
      }
    } catch (error) {
      problems.push(`trial ${trial}: ${(error as Error).message}`);
    }
    const next = await run(launcher, args(user), { env, timeoutMs: 60_000 });
    if (next.code !== 0) problems.push(`trial ${trial}: next call failed: ${next.stderr.trim()}`);
    else if (!JSON.parse(next.stdout).status?.clientCertificateData) problems.push(`trial ${trial}: next call printed no certificate`);
  }
  return problems;
}

test(`${users * trialsPerUser} renewals killed at random points leave a consistent cache`, async () => {
  const problems = (await Promise.all(provisioned.map((user, i) => trials(user, 100 + i)))).flat();
  expect(problems).toEqual([]);
  expect(killedMidway).toBeGreaterThan(users * trialsPerUser * 0.4); // most trials really were cut short
  const csrs = await admin('get', 'csr', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}');
  for (const user of provisioned) {
    expect(csrs.split('\n').filter((name) => name === `user=${user.name}`).length).toBeLessThanOrEqual(1);
  }
});
