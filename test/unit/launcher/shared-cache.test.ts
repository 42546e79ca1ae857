// Two local uids sharing a cache root (KUBE_CSR_LOGIN_CACHE_DIR on a sticky, world-writable
// directory, as /tmp is): what the other uid plants must never be served or written through, by
// the sh launcher, the Node entry's fast path, or the full Node path. We are root; the intruder is
// a throwaway system user (test/helpers/second-user.ts).
import { execFile, execFileSync } from 'node:child_process';
import { chmod, chown, lstat, mkdir, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { renderFastPath } from '../../../src/cache/fast-path.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { type SecondUser, secondUser } from '../../helpers/second-user.js';
import { tempDir } from '../../helpers/temp-dirs.js';
import { pluginArgs } from '../../helpers/plugin-args.js';
import { until } from '../../helpers/until.js';

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

function run(viaNode = false, cacheRoot = shared, extraEnv: Record<string, string> = {}): Promise<Result> {
  const [command, argv] = viaNode ? [process.execPath, [`${launcher}.cjs`, ...args]] : [launcher, args];
  const env = {
    ...extraEnv,
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
const openWarning = () => `kube-csr-login: ${profileDir()} was open to other users; its mode is now 0700`;
/** What the intruder writes: a well-formed answer for exactly our arguments, carrying their credential. */
const forgedAnswer = () => fastPathFile(forged) ?? '';
/** A fast path file for exactly our arguments and files, valid for an hour, answering OUTPUT. */
const fastPathFile = (output: string) =>
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
    output,
  );

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
    expect(await run()).toMatchObject({ code: 0, stderr: '' }); // a real credential, cached by us, silently
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
    // Node closed the directory, warned (in background.log: stderr is no terminal), and replaced the link with its own clock
    expect(result.stderr).toBe('');
    expect(await readFile(path.join(profileDir(), 'background.log'), 'utf8')).toContain(openWarning());
    expect((await stat(profileDir())).mode & 0o777).toBe(0o700);
    expect((await lstat(path.join(profileDir(), 'clock'))).isFile()).toBe(true);
  });

  test('a successful get-credential whose stderr is no terminal says nothing there; the warning is in background.log', async () => {
    await rm(path.join(profileDir(), 'exec-credential')); // no fast path answer: the full Node path judges the directory
    const result = await run();
    expect(result).toMatchObject({ code: 0, stderr: '' }); // fabric8 parses stderr together with the credential
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'ExecCredential', status: { clientCertificateData: expect.any(String) } });
    expect(await readFile(path.join(profileDir(), 'background.log'), 'utf8')).toMatch(new RegExp(`^\\S+Z ${openWarning()}$`, 'm'));
    expect((await stat(profileDir())).mode & 0o777).toBe(0o700);
  });

  test('with verbose on, the warning is on stderr', async () => {
    await rm(path.join(profileDir(), 'exec-credential'));
    const result = await run(false, shared, { KUBE_CSR_LOGIN_VERBOSE: '1' });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(openWarning());
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

describe('a cache root under a directory another uid can rename entries in', () => {
  /** team/cache: ours and private, but whoever may rename in team can swap it for their own. */
  async function rootUnder(team: string, owner: 'intruder' | 'us', mode: number): Promise<string> {
    await rm(team, { recursive: true, force: true });
    await mkdir(path.join(team, 'cache'), { recursive: true, mode: 0o700 });
    await chmod(team, mode);
    if (owner === 'intruder') await chown(team, intruder.uid, intruder.gid);
    return path.join(team, 'cache');
  }

  test('is refused by sh and Node alike: the parent is another uid, or writable without the sticky bit', async () => {
    const cases = [
      { owner: 'intruder', mode: 0o755, problem: `owned by uid ${intruder?.uid}, not by you (uid 0)` },
      { owner: 'intruder', mode: 0o1777, problem: `owned by uid ${intruder?.uid}, not by you (uid 0)` }, // its owner renames in its own sticky dir
      { owner: 'us', mode: 0o777, problem: 'writable by group or others without the sticky bit (mode 0777)' },
    ] as const;
    for (const { owner, mode, problem } of cases) {
      const team = path.join(base, 'team');
      const root = await rootUnder(team, owner, mode);
      for (const viaNode of [false, true]) {
        const result = await run(viaNode, root);
        expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 3, stdout: '' });
        expect(result.stderr).toContain(`the cache directory ${root} is under ${team}, which is ${problem}`);
      }
      expect(await readdir(path.join(root, 'default')).catch(() => [])).toEqual([]); // no key made there
    }
    // a sticky root-owned /tmp above it is fine: every test's base is under one
    expect((await run(false, path.join(base, 'shared'))).code).toBe(0);
  });

  test('swapped for theirs while sh opens our answer, sh serves nothing of theirs (the open delayed by strace)', async () => {
    ensureStrace();
    const team = path.join(base, 'team');
    const root = await rootUnder(team, 'intruder', 0o755);
    // our answer, as Node wrote it before the directory above turned hostile, and theirs beside it
    const ours = fastPathFile('{"kind":"ExecCredential","status":{"token":"ours"}}');
    const past = new Date(Date.now() - 60_000);
    for (const file of ['token', 'ca.crt']) await utimes(path.join(base, file), past, past);
    await mkdir(path.join(root, 'default'), { mode: 0o700 });
    await writeFile(path.join(root, 'default', 'exec-credential'), ours ?? '', { mode: 0o600 });
    intruder.sh('umask 077 && mkdir -p "$1/default" && cat >"$1/default/exec-credential"', [path.join(team, 'theirs')], forgedAnswer());
    const trace = path.join(base, 'strace.out');
    const file = path.join(root, 'default', 'exec-credential');
    const traced = new Promise<Result>((resolve) => {
      const argv = ['-qq', '-o', trace, '-e', 'trace=openat', '-e', 'inject=openat:delay_enter=1500000', '-P', file, launcher, ...args];
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: base,
        KUBE_CSR_LOGIN_CACHE_DIR: root,
        KUBE_CSR_LOGIN_CONFIG_DIR: path.join(base, 'config'),
        KUBERNETES_EXEC_INFO: execInfo,
      };
      execFile('strace', argv, { env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    });
    // sh has checked the path and entered open(): now the intruder swaps the directories
    await until(
      async () => (await readFile(trace, 'utf8').catch(() => '')).includes(`openat(AT_FDCWD, "${file}"`),
      'sh to open the answer',
    );
    intruder.sh('mv "$1/cache" "$1/ours" && mv "$1/theirs" "$1/cache"', [team]);
    const result = await traced;
    expect(result.stdout).not.toContain('intruder');
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 3, stdout: '' });
    expect(result.stderr).toContain(`the cache directory ${root} is owned by uid ${intruder.uid}`); // theirs now: Node refuses it
  });
});

function ensureStrace(): void {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('apt-get', ['install', '-y', '-qq', 'strace'], {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (error) {
      throw new Error(`the swap race test delays the launcher's open with strace, which apt-get could not install: ${String(error)}`);
    }
  }
}
