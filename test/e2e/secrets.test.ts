// Secrets stay secret: through a whole flow at the highest verbosity, no process argv, no stderr
// line and no error message carries the token or private key material; files have their modes.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { cluster, launcher, run, tempDir, writeUserKubeconfig } from './cluster.js';
import { type ProvisionedUser, approveContinuously, provisionUser } from './provision.js';
import { pluginArgs } from '../helpers/plugin-args.js';

jest.setTimeout(120_000);
let dir: string;
let user: ProvisionedUser;
let stop: () => Promise<void>;

beforeAll(async () => {
  dir = await tempDir('secrets');
  user = await provisionUser(dir, 'secret.user', ['devs']);
  stop = approveContinuously(user.name);
});
afterAll(async () => stop());

/** Samples every process's argv until stopped. */
function watchArgv(): { stop: () => Promise<string[]> } {
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const pid of await readdir('/proc').catch(() => [])) {
        if (!/^\d+$/.test(pid)) continue;
        const argv = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (argv) seen.add(argv.replace(/\0/g, ' '));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return [...seen];
    },
  };
}

test('token and key never appear in argv, verbose logs or error messages', async () => {
  const cacheDir = path.join(dir, 'cache');
  const kubeconfig = path.join(dir, 'user.kubeconfig');
  const connection = { server: cluster.server, caFile: cluster.caFile };
  const args = pluginArgs({ ...connection, tokenFile: user.tokenFile, user: user.name, groups: 'devs' }, '--verbose');
  await writeUserKubeconfig(kubeconfig, { args, env: { KUBE_CSR_LOGIN_CACHE_DIR: cacheDir, KUBE_CSR_LOGIN_VERBOSE: '1' } });
  const argv = watchArgv();
  const outputs: string[] = [];
  const first = await run(cluster.kubectl, ['--kubeconfig', kubeconfig, 'auth', 'whoami', '-v=10']);
  outputs.push(first.stdout, first.stderr);
  expect(first.code).toBe(0);
  const hit = await run(cluster.kubectl, ['--kubeconfig', kubeconfig, 'get', 'pods']);
  outputs.push(hit.stdout, hit.stderr);
  // Error paths: a wrong token and a malformed exec info, run directly at the highest verbosity.
  const wrongToken = path.join(dir, 'wrong.token');
  await (await import('node:fs/promises')).writeFile(wrongToken, `${user.token}x`, { mode: 0o600 });
  const failing = await run(launcher, pluginArgs({ ...connection, tokenFile: wrongToken, user: user.name }, '--verbose'), {
    env: { KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, 'cache2') },
  });
  outputs.push(failing.stdout, failing.stderr);
  expect(failing.code).not.toBe(0);
  const seenArgv = await argv.stop();

  const entry = JSON.parse(await readFile(path.join(cacheDir, 'default', 'credential.json'), 'utf8'));
  const keyBody = entry.privateKeyPem.split('\n').slice(1, 3).join('');
  for (const secret of [user.token, keyBody]) {
    expect(seenArgv.filter((line) => line.includes(secret))).toEqual([]);
    expect(outputs.filter((text) => text.includes(secret))).toEqual([]);
  }
  expect(failing.stderr).not.toContain(user.token);
  expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
  for (const name of await readdir(path.join(cacheDir, 'default'))) {
    const s = await stat(path.join(cacheDir, 'default', name));
    if (s.isFile()) expect([name, s.mode & 0o777]).toEqual([name, 0o600]);
  }
});

test('admin add-user, setup, status and logout print and pass no token or key', async () => {
  const env = {
    KUBE_CSR_LOGIN_CONFIG_DIR: path.join(dir, 'setup-config'),
    KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, 'setup-cache'),
    KUBECONFIG: path.join(dir, 'setup.kubeconfig'),
  };
  const bundle = path.join(dir, 'secret.bundle');
  const admin = ['--users-namespace', 'users', '--kubeconfig', cluster.adminKubeconfig, '--verbose'];
  const argv = watchArgv();
  const outputs: string[] = [];
  const step = async (args: string[]) => {
    const result = await run(launcher, args, { env, input: '' });
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  expect((await step(['admin', 'add-user', user.name, '--groups', 'devs', '--bundle', bundle, ...admin])).code).toBe(0);
  expect((await step(['setup', '--bundle', bundle, '--verbose'])).code).toBe(0);
  expect((await step(['status', '-o', 'json'])).code).toBe(0);
  expect((await step(['admin', 'list-users', ...admin])).code).toBe(0);
  const entry = JSON.parse(await readFile(path.join(env.KUBE_CSR_LOGIN_CACHE_DIR, 'default', 'credential.json'), 'utf8'));
  expect((await step(['logout', '--forget', '--verbose'])).code).toBe(0);
  const seenArgv = await argv.stop();
  const token = /^\s+token: (\S+)$/m.exec(await readFile(bundle, 'utf8'))?.[1] ?? '';
  expect(token.length).toBeGreaterThan(20);
  const keyBody = entry.privateKeyPem.split('\n').slice(1, 3).join('');
  for (const secret of [token, keyBody]) {
    expect(seenArgv.filter((line) => line.includes(secret))).toEqual([]);
    expect(outputs.filter((text) => text.includes(secret))).toEqual([]);
  }
  expect((await stat(bundle)).mode & 0o777).toBe(0o600);
  expect((await stat(env.KUBECONFIG)).mode & 0o777).toBe(0o600);
});
