// Fuzzed bad input for get-credential (fixed seeds, bounded counts): KUBERNETES_EXEC_INFO, flags,
// cache files and token files. Whatever arrives, the CLI contract holds: one JSON document and exit
// 0, or one stderr line, no stack trace, nothing on stdout.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { runCli } from '../../../src/cli/main.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { testClock } from '../../helpers/clock.js';
import { captureEdge } from '../../helpers/edge.js';
import { contractViolation, mutate, pick, randomText, seeded } from '../../helpers/fuzz.js';
import { jeanDoeArgs } from '../../helpers/plugin-args.js';

jest.setTimeout(120_000);
const token = 'fuzz-token-0123456789';
const clock = testClock();
let api: FakeApi;
let root: string;
let baseArgs: string[];
let env: Record<string, string>;
let validExecInfo: string;

beforeAll(async () => {
  api = await startFakeApi({ token, now: clock.now });
  root = await mkdtemp(path.join(os.tmpdir(), 'kcl-fuzz-'));
  await writeFile(path.join(root, 'token'), token, { mode: 0o600 });
  await writeFile(path.join(root, 'ca.crt'), api.caPem);
  env = { HOME: root, KUBE_CSR_LOGIN_CACHE_DIR: path.join(root, 'cache'), KUBE_CSR_LOGIN_CONFIG_DIR: path.join(root, 'config') };
  baseArgs = jeanDoeArgs(api.url, root);
  validExecInfo = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } });
  expect(await runCli(baseArgs, captureEdge(env, clock))).toBe(0);
});
afterAll(async () => {
  await api.close();
  await rm(root, { recursive: true, force: true });
});

async function violations(cases: Array<{ args: string[]; env: Record<string, string | undefined> }>): Promise<string[]> {
  const found: string[] = [];
  for (const c of cases) {
    const edge = captureEdge(c.env, clock);
    const problem = contractViolation(await runCli(c.args, edge), edge);
    if (problem) found.push(`${JSON.stringify(c.args.slice(1)).slice(0, 120)}: ${problem}`);
  }
  return found;
}

describe('fuzzed get-credential input', () => {
  test('3000 KUBERNETES_EXEC_INFO values', async () => {
    const random = seeded(1);
    const cases = Array.from({ length: 3000 }, () => ({
      args: baseArgs,
      env: { ...env, KUBERNETES_EXEC_INFO: random() < 0.5 ? mutate(random, validExecInfo) : randomText(random) },
    }));
    expect(await violations(cases)).toEqual([]);
  });

  test('2000 command lines', async () => {
    const random = seeded(2);
    const flags = [
      '--profile',
      '--server',
      '--token-file',
      '--user',
      '--groups',
      '--api-version',
      '--key-algorithm',
      '--expiration',
      '--renew-window',
      '--timeout',
      '--csr-name',
      '--bogus',
      '-x',
      '--',
    ];
    const cases = Array.from({ length: 2000 }, () => {
      const args = [...baseArgs];
      const edits = 1 + Math.floor(random() * 3);
      for (let i = 0; i < edits; i += 1) {
        const value =
          random() < 0.5
            ? randomText(random, 12)
            : pick(random, ['0', '-1', '1h', '99999999999d', '70-90', '90-70', '../..', 'rsa-1024', '']);
        args.splice(1 + Math.floor(random() * (args.length - 1)), 0, pick(random, flags), value);
      }
      return { args, env: { ...env, KUBE_CSR_LOGIN_CACHE_DIR: path.join(root, 'cache-flags') } };
    });
    // Renewals against the fake are allowed here (valid variations), so keep the wait short.
    api.options.decision = 'deny';
    try {
      expect(await violations(cases)).toEqual([]);
    } finally {
      api.options.decision = 'approve';
    }
  });

  test('300 corrupted cache files: served only when still valid, otherwise renewed', async () => {
    const random = seeded(3);
    const file = path.join(root, 'cache', 'default', 'credential.json');
    const valid = await readFile(file, 'utf8');
    const found: string[] = [];
    for (let i = 0; i < 300; i += 1) {
      await writeFile(file, random() < 0.8 ? mutate(random, valid) : randomText(random, 400));
      await rm(path.join(root, 'cache', 'default', 'exec-credential'), { force: true });
      const edge = captureEdge(env, clock);
      const problem = contractViolation(await runCli(baseArgs, edge), edge);
      if (problem) found.push(problem);
      else {
        const status = JSON.parse(edge.out.join('')).status;
        // Whatever was printed is a certificate and key that belong together.
        const { X509Certificate, createPrivateKey } = await import('node:crypto');
        if (!new X509Certificate(status.clientCertificateData).checkPrivateKey(createPrivateKey(status.clientKeyData)))
          found.push('mismatched pair');
      }
    }
    expect(found).toEqual([]);
  });

  test('500 token files', async () => {
    const random = seeded(4);
    const tokenFile = path.join(root, 'fuzz-token');
    const cases = [];
    for (let i = 0; i < 500; i += 1) {
      cases.push({
        args: baseArgs.map((a) => (a.endsWith('/token') ? tokenFile : a)),
        env: { ...env, KUBE_CSR_LOGIN_CACHE_DIR: path.join(root, 'cache-token') },
      });
    }
    const found: string[] = [];
    for (const c of cases) {
      await writeFile(tokenFile, random() < 0.5 ? mutate(random, token) : randomText(random, 80));
      const edge = captureEdge(c.env, clock);
      const problem = contractViolation(await runCli(c.args, edge), edge);
      if (problem) found.push(problem);
      if (edge.err.join('').includes(token)) found.push('token in stderr');
    }
    expect(found).toEqual([]);
  });
});
