// Go's filepath.Clean/Base (values checked with Go 1.26.8) and exec.LookPath as client-go's allowlist
// uses them; and which kuberc kubectl reads, from the environment alone.
import { describe, expect, test } from '@jest/globals';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { goBase, goClean, lookPath } from '../../../src/kuberc/go-path.js';
import { locateKuberc, maxKubercBytes, readKuberc } from '../../../src/kuberc/source.js';
import { tempDir } from '../../helpers/temp-dirs.js';

describe('goClean and goBase match Go', () => {
  const go: [string, string, string][] = [
    ['', '.', '.'],
    ['/', '/', '/'],
    ['//', '/', '/'],
    ['/a//b/', '/a/b', 'b'],
    ['a/../..', '..', '..'],
    ['/../a', '/a', 'a'],
    ['./a', 'a', 'a'],
    ['a/./b/.', 'a/b', '.'],
    ['/usr/local/bin/', '/usr/local/bin', 'bin'],
    ['/a/b/..', '/a', '..'],
    ['~/bin/x', '~/bin/x', 'x'],
    ['//a//', '/a', 'a'],
  ];
  test.each(go)('%j', (input, clean, base) => {
    expect(goClean(input, 'linux')).toBe(clean);
    expect(goBase(input, 'linux')).toBe(base);
  });
});

describe('lookPath', () => {
  async function bins() {
    const dir = await tempDir('kcl-lookpath');
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    await mkdir(one);
    await mkdir(two);
    await writeFile(join(two, 'kube-csr-login'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(join(one, 'kube-csr-login'), 'not executable', { mode: 0o644 });
    await mkdir(join(one, 'kubectl-csr_login'));
    await symlink(join(two, 'kube-csr-login'), join(one, 'linked'));
    return { dir, one, two };
  }
  const env = (path: string | undefined, cwd: string) => ({ platform: 'linux' as const, path, pathExt: undefined, cwd });

  test('a bare name: the first executable file in PATH (not a directory, not a non-executable file)', async () => {
    const { dir, one, two } = await bins();
    expect(await lookPath('kube-csr-login', env(`${one}:${two}`, dir))).toEqual({ path: join(two, 'kube-csr-login') });
    expect((await lookPath('kubectl-csr_login', env(`${one}:${two}`, dir))).error).toMatch(/not found in \$PATH/);
  });

  test('symlinks are not resolved; a name with a slash is only checked', async () => {
    const { dir, one } = await bins();
    expect(await lookPath('linked', env(one, dir))).toEqual({ path: join(one, 'linked') });
    expect(await lookPath(join(one, 'linked'), env('', dir))).toEqual({ path: join(one, 'linked') });
    expect((await lookPath(join(one, 'kube-csr-login'), env('', dir))).error).toBeDefined();
    expect(await lookPath('two/kube-csr-login', env('', dir))).toEqual({ path: 'two/kube-csr-login' });
  });

  test('an empty PATH searches nothing; an empty element is the current directory, whose match is an error', async () => {
    const { two } = await bins();
    expect((await lookPath('kube-csr-login', env('', two))).error).toMatch(/not found/);
    expect((await lookPath('kube-csr-login', env(undefined, two))).error).toMatch(/not found/);
    const dot = await lookPath('kube-csr-login', env(`:${two}`, two));
    expect(dot).toEqual({ path: 'kube-csr-login', error: expect.stringMatching(/relative to the current directory/) });
  });
});

describe('which kuberc kubectl reads', () => {
  const at = (env: Record<string, string>, platform: NodeJS.Platform = 'linux') => locateKuberc({ env, platform, cwd: '/work' });
  test('KUBECTL_KUBERC=false (any case) and KUBERC=off turn it off; KUBERC names a file; else ~/.kube/kuberc', () => {
    expect(at({ KUBECTL_KUBERC: 'FALSE', KUBERC: '/k' })).toEqual({ kind: 'off', reason: 'KUBECTL_KUBERC=false' });
    expect(at({ KUBERC: 'off', HOME: '/h' })).toEqual({ kind: 'off', reason: 'KUBERC=off' });
    expect(at({ KUBERC: 'OFF', HOME: '/h' })).toEqual({ kind: 'file', file: '/work/OFF', explicit: true });
    expect(at({ KUBERC: 'rc/kuberc', HOME: '/h', KUBECTL_KUBERC: 'true' })).toEqual({
      kind: 'file',
      file: '/work/rc/kuberc',
      explicit: true,
    });
    expect(at({ KUBERC: '', HOME: '/h' })).toEqual({ kind: 'file', file: '/h/.kube/kuberc', explicit: false });
    expect(at({})).toEqual({ kind: 'file', file: '/work/.kube/kuberc', explicit: false });
    expect(locateKuberc({ env: { USERPROFILE: 'C:\\Users\\u' }, platform: 'win32', cwd: 'C:\\' }).kind).toBe('file');
  });
});

describe('reading a kuberc', () => {
  test('missing, not a regular file, under a file, too large, text', async () => {
    const dir = await tempDir('kcl-kuberc-read');
    const file = join(dir, 'kuberc');
    expect(await readKuberc(file)).toEqual({ kind: 'missing' });
    expect(await readKuberc(dir)).toEqual({ kind: 'unreadable', reason: 'not a regular file' });
    await writeFile(file, 'kind: Preference\n');
    expect(await readKuberc(join(file, 'x'))).toEqual({ kind: 'unreadable', reason: 'ENOTDIR' });
    expect(await readKuberc(file)).toEqual({ kind: 'text', text: 'kind: Preference\n' });
    await writeFile(file, Buffer.alloc(maxKubercBytes + 1, 0x20));
    expect(await readKuberc(file)).toEqual({ kind: 'too-large', bytes: maxKubercBytes + 1 });
    await chmod(file, 0o600);
  });
});
