import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { runCli } from '../../../src/cli/main.js';
import { captureEdge } from '../../helpers/edge.js';

test('logout removes one profile, or all, including the fast path file, its clock files and back-off', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'kcl-logout-'));
  try {
    for (const profile of ['work', 'home']) {
      await mkdir(path.join(root, profile), { recursive: true });
      for (const file of ['credential.json', 'exec-credential', 'backoff.json', 'clock', 'deadline.1900000000', 'renew.waiters'])
        await writeFile(path.join(root, profile, file), '{}');
    }
    const env = { HOME: root, KUBE_CSR_LOGIN_CACHE_DIR: root };
    const one = captureEdge(env);
    expect(await runCli(['logout', '--profile', 'work'], one)).toBe(0);
    expect(one.out.join('')).toBe('removed cached credentials: work\n');
    expect(await readdir(root)).toEqual(['home']);
    const all = captureEdge(env);
    expect(await runCli(['logout', '--all'], all)).toBe(0);
    expect(await readdir(root)).toEqual([]);
    const bad = captureEdge(env);
    expect(await runCli(['logout', '--profile', '../x'], bad)).toBe(2);
    expect(bad.out).toEqual([]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
