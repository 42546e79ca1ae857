import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { run } from '../../../src/cli/commands/status.js';
import { runCli } from '../../../src/cli/main.js';
import { formatDuration } from '../../../src/util/time.js';
import { testClock } from '../../helpers/clock.js';
import { captureEdge } from '../../helpers/edge.js';
import { type Fixture, createFixture, jean, minute, t0 } from './status-fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await createFixture();
});
afterEach(() => f.cleanup());

/** The command at a given time (the certificates are issued for t0..t0+60m). */
const edge = (at = t0) =>
  captureEdge({ HOME: f.root, KUBE_CSR_LOGIN_CACHE_DIR: f.cacheDir, KUBE_CSR_LOGIN_CONFIG_DIR: f.configDir }, testClock(at));

test('status prints a block per profile and exits 0 even when the certificate has expired', async () => {
  await f.writeProfile('default', jean);
  await f.writeEntry('default');
  const afterExpiry = new Date(t0.getTime() + 90 * minute);
  const e = edge(afterExpiry);
  await run([], e);
  expect(e.err).toEqual([]);
  expect(e.out.join('')).toMatch(/^default\n {2}server {7}https:\/\/127\.0\.0\.1:6443\n/);
  expect(e.out.join('')).toContain('certificate  expired\n');
  expect(e.out.join('')).toContain('(expired 30m ago)');
  expect(e.out.join('')).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  const viaCli = edge(afterExpiry);
  expect(await runCli(['status'], viaCli)).toBe(0);
  expect(viaCli.out.join('')).toContain('certificate  expired\n');
});

test('-o json and --output=json print one JSON document', async () => {
  await f.writeProfile('work', jean);
  for (const args of [['-o', 'json'], ['--output=json'], ['--profile', 'work', '-o', 'json']]) {
    const e = edge();
    await run(args, e);
    const doc: unknown = JSON.parse(e.out.join(''));
    expect(doc).toMatchObject({ profiles: [{ name: 'work', certificate: null, reason: 'none cached' }] });
  }
  const none = captureEdge({ HOME: f.root, KUBE_CSR_LOGIN_CACHE_DIR: `${f.root}/empty`, KUBE_CSR_LOGIN_CONFIG_DIR: `${f.root}/empty` });
  await run(['-o', 'json'], none);
  expect(JSON.parse(none.out.join(''))).toEqual({ profiles: [] });
});

test('no profiles: says how to set one up', async () => {
  const e = edge();
  await run([], e);
  expect(e.out).toEqual(['no profiles: run kube-csr-login setup\n']);
});

test('an unknown --profile or a bad flag is one stderr line and no stdout', async () => {
  await f.writeProfile('default', jean);
  for (const [args, code] of [
    [['status', '--profile', 'nope'], 20],
    [['status', '-o', 'yaml'], 2],
    [['status', '--bogus'], 2],
  ] as const) {
    const e = edge();
    expect(await runCli([...args], e)).toBe(code);
    expect(e.out).toEqual([]);
    expect(e.err).toHaveLength(1);
  }
});

test.each([
  [0, '0s'],
  [999, '0s'],
  [45_000, '45s'],
  [41 * 60_000 + 30_000, '41m'],
  [3 * 3600_000, '3h'],
  [3 * 3600_000 + 5 * 60_000 + 7_000, '3h 5m'],
  [2 * 86_400_000 + 4 * 3600_000 + 60_000, '2d 4h'],
])('formatDuration(%d) = %s', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
});
