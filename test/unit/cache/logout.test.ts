import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { fastPathFormat } from '../../../src/cache/fast-path.js';
import { cacheDirTag } from '../../../src/cache/layout.js';
import { runCli } from '../../../src/cli/main.js';
import { captureEdge } from '../../helpers/edge.js';
import { tempDir } from '../../helpers/temp-dirs.js';

const ourFiles = [
  'credential.json',
  'backoff.json',
  'pending.json',
  'clock',
  'deadline.1900000000',
  'renew.waiters',
  'renew.claim',
  'background.log',
  '.credential.json.0123456789ab.tmp',
];

/** A profile directory as kube-csr-login leaves it: tagged (new) or with only its fast path file (made before the tag). */
async function ourProfile(root: string, name: string, marked: 'tag' | 'fast-path'): Promise<void> {
  const dir = path.join(root, name);
  await mkdir(path.join(dir, 'renew.lock'), { recursive: true });
  for (const file of ourFiles) await writeFile(path.join(dir, file), '{}');
  await writeFile(path.join(dir, 'exec-credential'), `${fastPathFormat.magic}\n1900000000\n`);
  if (marked === 'tag') await writeFile(path.join(dir, 'CACHEDIR.TAG'), cacheDirTag);
}

async function logout(root: string, ...args: string[]) {
  const edge = captureEdge({ HOME: root, KUBE_CSR_LOGIN_CACHE_DIR: root });
  const code = await runCli(['logout', ...args], edge);
  return { code, out: edge.out.join('') };
}

describe('logout', () => {
  test('removes one profile, or all, including the fast path file, its clock files and back-off', async () => {
    const root = await tempDir('kcl-logout');
    await ourProfile(root, 'work', 'tag');
    await ourProfile(root, 'home', 'fast-path');
    expect(await logout(root, '--profile', 'work')).toEqual({ code: 0, out: 'removed cached credentials: work\n' });
    expect(await readdir(root)).toEqual(['home']);
    expect(await logout(root, '--all')).toEqual({ code: 0, out: 'removed cached credentials: home\n' });
    expect(await readdir(root)).toEqual([]);
    expect((await logout(root, '--profile', '../x')).code).toBe(2);
  });

  test('a cache dir that is an ordinary directory: only our profile directories and our files are removed', async () => {
    // KUBE_CSR_LOGIN_CACHE_DIR=$HOME: `logout --all` used to delete .ssh/ and projects/ with everything in them
    const root = await tempDir('kcl-logout-home');
    const foreign: Record<string, string> = {
      '.ssh/id_ed25519': 'private key',
      'projects/credential.json': '{"type": "service_account"}', // names we use, in a directory we did not make
      'projects/clock': 'x',
      'projects/exec-credential': 'not ours\n',
      'notes.txt': 'notes',
      'work/notes.txt': 'kept: this was put in our profile directory by someone else',
    };
    for (const [file, content] of Object.entries(foreign)) {
      await mkdir(path.join(root, path.dirname(file)), { recursive: true });
      await writeFile(path.join(root, file), content);
    }
    await mkdir(path.join(root, 'empty'));
    await ourProfile(root, 'work', 'tag');
    const elsewhere = await tempDir('kcl-logout-elsewhere');
    await ourProfile(elsewhere, 'linked', 'tag');
    await symlink(path.join(elsewhere, 'linked'), path.join(root, 'linked')); // never followed

    expect(await logout(root, '--all')).toEqual({ code: 0, out: 'removed cached credentials: work\n' });
    for (const [file, content] of Object.entries(foreign)) expect(await readFile(path.join(root, file), 'utf8')).toBe(content);
    expect((await readdir(root)).sort()).toEqual(['.ssh', 'empty', 'linked', 'notes.txt', 'projects', 'work']);
    expect(await readdir(path.join(root, 'work'))).toEqual(['notes.txt']);
    expect((await readdir(path.join(elsewhere, 'linked'))).length).toBeGreaterThan(ourFiles.length);
    expect(await logout(root, '--profile', 'projects')).toEqual({ code: 0, out: 'nothing cached\n' });
    expect((await readdir(path.join(root, 'projects'))).sort()).toEqual(['clock', 'credential.json', 'exec-credential']);
  });
});
