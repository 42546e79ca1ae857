// Which Node the sh launcher runs, whatever PATH holds: desktop apps start kubectl with a bare PATH
// (/usr/bin:/bin on macOS, where an older Node may sit, as on this machine) or none at all. The
// package is installed as npm lays it out (a prefix/bin link to the package's launcher, no
// node_modules/.bin/node beside it), and setup's stanza names the Node it ran with in
// KUBE_CSR_LOGIN_NODE (src/cli/invocation.ts). Nothing the launcher forks before that Node is
// found by PATH, readlink included.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from '@jest/globals';
import { tempDir } from '../../helpers/temp-dirs.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const version: string = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')).version;
let base: string;
let command: string;
let hostile: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The installed command with exactly this environment (no PATH at all when env has none). */
function run(env: Record<string, string>, args = ['version']): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { HOME: base, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  base = await tempDir('kcl-runtime');
  const pkg = path.join(base, 'prefix', 'lib', 'node_modules', 'kube-csr-login');
  await mkdir(path.join(pkg, 'bin'), { recursive: true });
  await mkdir(path.join(pkg, 'dist'));
  for (const file of ['bin/kube-csr-login', 'bin/kube-csr-login.cjs', 'dist/fast-path.cjs', 'dist/kube-csr-login.cjs']) {
    await copyFile(path.join(repo, file), path.join(pkg, file));
  }
  await chmod(path.join(pkg, 'bin', 'kube-csr-login'), 0o755);
  await mkdir(path.join(base, 'prefix', 'bin'));
  command = path.join(base, 'prefix', 'bin', 'kube-csr-login');
  await symlink('../lib/node_modules/kube-csr-login/bin/kube-csr-login', command); // as npm links it
  // a `node` that must never run: it would answer for someone else
  hostile = path.join(base, 'hostile');
  await mkdir(hostile);
  await writeFile(
    path.join(hostile, 'node'),
    `#!/bin/sh\n: >"${base}/hostile-ran"\necho '{"kind":"ExecCredential","status":{"token":"someone-else"}}'\n`,
    { mode: 0o755 },
  );
});

test.each<[string, Record<string, string>]>([
  ['a bare PATH with an older Node in /usr/bin', { PATH: '/usr/bin:/bin' }],
  ['a PATH with nothing on it (no readlink, no node)', { PATH: '/nonexistent' }],
  ['no PATH at all (the shell then searches its default, /usr/bin included)', {}],
  ['a hostile node first on PATH', { PATH: `${'HOSTILE'}:/usr/bin:/bin` }],
])('the recorded Node runs, whatever PATH holds: %s', async (_name, env) => {
  const withPath = env.PATH === undefined ? env : { PATH: env.PATH.replace('HOSTILE', hostile) };
  const result = await run({ ...withPath, KUBE_CSR_LOGIN_NODE: process.execPath });
  expect(result).toEqual({ code: 0, stdout: `kube-csr-login ${version}\n`, stderr: '' });
  expect(await readdir(base)).not.toContain('hostile-ran');
});

test.each<[string, (dir: string) => Promise<string>]>([
  ['gone (nvm switched, brew upgraded)', async (dir) => path.join(dir, 'node-v24.0.0', 'bin', 'node')],
  [
    'not executable',
    async (dir) => {
      await writeFile(path.join(dir, 'not-node'), '#!/bin/sh\necho ran\n', { mode: 0o644 });
      return path.join(dir, 'not-node');
    },
  ],
  [
    'a directory',
    async (dir) => {
      await mkdir(path.join(dir, 'a-dir'), { recursive: true });
      return path.join(dir, 'a-dir');
    },
  ],
])('a recorded Node that is %s: one line saying what to run, nothing on stdout, never PATH’s node', async (_name, make) => {
  const node = await make(base);
  for (const args of [['version'], ['get-credential', '--profile', 'default']]) {
    const result = await run({ PATH: `${hostile}:/usr/bin:/bin`, KUBE_CSR_LOGIN_NODE: node }, args);
    expect(result).toEqual({
      code: 3,
      stdout: '',
      stderr: `kube-csr-login: the Node.js recorded by setup (${node}) is gone or not executable: run kube-csr-login setup again, from a terminal with the Node.js you use now\n`,
    });
  }
  expect(await readdir(base)).not.toContain('hostile-ran');
});
