// Two local uids sharing a cache root (KUBE_CSR_LOGIN_CACHE_DIR on a sticky, world-writable
// directory, as /tmp is): what the other uid plants must never be served or written through, by
// the sh launcher, the Node entry's fast path, or the full Node path. We are root; the intruder is
// a throwaway system user (test/helpers/second-user.ts).
import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { renderFastPath } from '../../../src/cache/fast-path.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { type SecondUser, secondUser } from '../../helpers/second-user.js';
import { tempDir } from '../../helpers/temp-dirs.js';
import { pluginArgs } from '../../helpers/plugin-args.js';

jest.setTimeout(30_000); // each case starts Node a few times (a renewal included): slow on a loaded machine

const launcher = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/kube-csr-login');
const token = 'shared-cache-token';
const forged = '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"intruder"}}';
const execInfo = JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1', spec: { interactive: false } });
let api: FakeApi;
let intruder: SecondUser;
let base: string;
let shared: string;
let args: string[];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(viaNode = false, cacheRoot = shared): Promise<Result> {
  const [command, argv] = viaNode ? [process.execPath, [`${launcher}.cjs`, ...args]] : [launcher, args];
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: base,
    KUBE_CSR_LOGIN_CACHE_DIR: cacheRoot,
    KUBE_CSR_LOGIN_CONFIG_DIR: path.join(base, 'config'),
    KUBERNETES_EXEC_INFO: execInfo,
  };
  return new Promise((resolve) => {
    execFile(command, argv, { env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

const profileDir = () => path.join(shared, 'default');
/** What the intruder writes: a well-formed answer for exactly our arguments, carrying their credential. */
const forgedAnswer = () =>
  renderFastPath(
    {
      args,
      execInfoRaw: execInfo,
      tokenFile: path.join(base, 'token'),
      profileFile: path.join(base, 'config', 'profiles', 'default.json'),
      profileExists: false,
      caFile: path.join(base, 'ca.crt'),
    },
    new Date(Date.now() + 3_600_000),
    forged,
  ) ?? '';

beforeAll(async () => {
  intruder = secondUser();
  api = await startFakeApi({ token });
  base = await tempDir('kcl-shared-cache');
  await chmod(base, 0o755); // the intruder may reach the shared root, nothing else of ours
  shared = path.join(base, 'shared');
  await mkdir(shared);
  await chmod(shared, 0o1777);
  await mkdir(path.join(base, 'config'), { mode: 0o700 });
  await writeFile(path.join(base, 'token'), token, { mode: 0o600 });
  await writeFile(path.join(base, 'ca.crt'), api.caPem);
  args = pluginArgs({
    server: api.url,
    caFile: path.join(base, 'ca.crt'),
    tokenFile: path.join(base, 'token'),
    user: 'jean.doe',
    groups: 'devs',
  });
});
afterAll(async () => {
  await api.close();
});

describe('another uid planted the profile directory', () => {
  beforeEach(async () => {
    await rm(profileDir(), { recursive: true, force: true });
  });

  test('its answer is not served, and neither path waits on its claim or writes through its links', async () => {
    const victimFile = path.join(base, 'victim-notes');
    await writeFile(victimFile, 'notes\n');
    // a readable directory with a forged answer, clock files dated to serve it, a live claim and a
    // waiters list that is a link to one of our files
    intruder.sh(
      'umask 022 && mkdir "$1" && cat >"$1/exec-credential" && : >"$1/clock" && touch -d @4000000000 "$1/deadline.$3" && echo "$4" >"$1/renew.claim" && ln -s "$2" "$1/renew.waiters"',
      [profileDir(), victimFile, forgedAnswer().split('\n')[1] ?? '', String(process.pid)],
      forgedAnswer(),
    );
    for (const viaNode of [false, true]) {
      const result = await run(viaNode);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 3, stdout: '' });
      expect(result.stderr).toContain(`the cache directory ${profileDir()} is owned by uid ${intruder.uid}, not by you (uid 0)`);
    }
    expect(await readFile(victimFile, 'utf8')).toBe('notes\n');
    for (const name of await readdir(profileDir())) {
      expect([name, (await lstat(path.join(profileDir(), name))).uid]).toEqual([name, intruder.uid]);
    }
  });

  test('a planted symlink in place of the profile directory is not followed', async () => {
    const ours = path.join(base, 'elsewhere');
    await mkdir(ours, { recursive: true, mode: 0o700 });
    intruder.sh('ln -s "$1" "$2"', [ours, profileDir()]);
    const result = await run();
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('is a symbolic link');
    expect(await readdir(ours)).toEqual([]);
  });
});

describe('our profile directory was left open to others', () => {
  beforeEach(async () => {
    await rm(profileDir(), { recursive: true, force: true });
    expect((await run()).code).toBe(0); // a real credential, cached by us
    await chmod(profileDir(), 0o777); // e.g. a loose umask or a chmod: others may now add, replace and remove entries
  });

  test('a clock replaced by a link to one of our files does not truncate it', async () => {
    const victimFile = path.join(base, 'victim-file');
    await writeFile(victimFile, 'precious\n');
    intruder.sh('rm -f "$1/clock" && ln -s "$2" "$1/clock"', [profileDir(), victimFile]);
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"clientCertificateData"');
    expect(await readFile(victimFile, 'utf8')).toBe('precious\n');
    // Node closed the directory, warned, and replaced the link with its own clock
    expect(result.stderr).toContain(`${profileDir()} was open to other users; its mode is now 0700`);
    expect((await stat(profileDir())).mode & 0o777).toBe(0o700);
    expect((await lstat(path.join(profileDir(), 'clock'))).isFile()).toBe(true);
  });

  test('an answer another uid put in place of ours is not served; Node discards it and serves ours', async () => {
    const ours = await readFile(path.join(profileDir(), 'exec-credential'), 'utf8');
    intruder.sh('cat >"$1/.x" && mv -f "$1/.x" "$1/exec-credential"', [profileDir()], forgedAnswer());
    for (const viaNode of [false, true]) {
      const result = await run(viaNode);
      expect(result).toMatchObject({ code: 0, stdout: `${ours.trimEnd().split('\n').at(-1)}\n` });
    }
    const file = await stat(path.join(profileDir(), 'exec-credential'));
    expect([file.uid, file.mode & 0o777]).toEqual([0, 0o600]);
  });

  test('a deadline marker another uid dated into the future is not trusted', async () => {
    // our answer, its deadline moved to the past: only a forged marker could make it look fresh
    const file = path.join(profileDir(), 'exec-credential');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const past = Math.floor(Date.now() / 1000) - 60;
    lines[1] = String(past);
    await writeFile(file, lines.join('\n'), { mode: 0o600 });
    intruder.sh('touch -d @4000000000 "$1/deadline.$2"', [profileDir(), String(past)]);
    const result = await run();
    expect(result).toMatchObject({ code: 0, stdout: `${lines.at(-2)}\n` }); // the same certificate, from Node's checked cache
    expect((await readFile(file, 'utf8')).split('\n')[1]).not.toBe(String(past)); // Node answered and rewrote the file
    await expect(lstat(path.join(profileDir(), `deadline.${past}`))).rejects.toThrow();
  });
});

test('an answer file of ours that others may write is not served by the Node fast path', async () => {
  await rm(profileDir(), { recursive: true, force: true });
  expect((await run()).code).toBe(0);
  const file = path.join(profileDir(), 'exec-credential');
  await chmod(file, 0o666);
  const result = await run(true);
  expect(result.code).toBe(0);
  expect((await stat(file)).mode & 0o777).toBe(0o600); // discarded and rewritten by the full path
});

test('a cache root others can write without the sticky bit is refused: they could swap our directory', async () => {
  const loose = path.join(base, 'loose');
  await mkdir(loose);
  await chmod(loose, 0o777);
  const result = await run(false, loose);
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 3, stdout: '' });
  expect(result.stderr).toContain(`the cache directory ${loose} is writable by group or others without the sticky bit (mode 0777)`);
  // no key was made or written there (sh, blind to modes, may have made the empty profile directory)
  expect(await readdir(path.join(loose, 'default')).catch(() => [])).toEqual([]);
});
