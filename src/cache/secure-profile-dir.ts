// Before the Node path reads or writes a profile's cache: the cache root must be ours (or a sticky
// directory such as /tmp), and so must every directory above it (nobody else may rename in them);
// the profile directory ours and not a link. Ours but open to others, it is closed (0700) with a
// warning, and any entry of ours in it that someone else could have planted or changed (another
// owner, a link, group/other-writable) is removed, so the renewal that follows starts clean. A
// directory that belongs to someone else is never used: we could not repair it, and it is theirs
// to fill. Rules: src/cache/ownership.ts.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KclError, describe } from '../errors.js';
import { errorCode, privateDirMode, privateFileMode, readTextIfExists, writeFileAtomic } from '../util/files.js';
import { type ProfileCacheFiles, cacheDirTag, isProfileCacheEntry } from './layout.js';
import { entryProblem, guardingDirectories, rootChainProblem } from './ownership.js';

export interface SecureDeps {
  uid: number | undefined;
  warn: (message: string) => void;
  verbose: (message: string) => void;
}

const fix = 'remove it, or point KUBE_CSR_LOGIN_CACHE_DIR at a directory only you can write';

export async function secureProfileDir(cacheDir: string, files: ProfileCacheFiles, deps: SecureDeps): Promise<void> {
  await fs.mkdir(cacheDir, { recursive: true, mode: privateDirMode });
  const guards = guardingDirectories(path.resolve(cacheDir), await fs.realpath(cacheDir));
  const rootIssue = rootChainProblem(await Promise.all(guards.map(async (dir) => ({ dir, stat: await fs.stat(dir) }))), deps.uid);
  if (rootIssue)
    throw new KclError(
      'config',
      `the cache directory ${cacheDir} is ${rootIssue}: other users could replace what is cached there; point KUBE_CSR_LOGIN_CACHE_DIR at a directory only you can write`,
    );
  await fs.mkdir(files.dir, { mode: privateDirMode }).catch((error: unknown) => {
    if (errorCode(error) !== 'EEXIST') throw error;
  });
  await closeDirectory(files.dir, deps);
  const names = (await fs.readdir(files.dir)).filter(isProfileCacheEntry);
  await Promise.all(
    names.map((name) => discardIfPlanted(path.join(files.dir, name), name === path.basename(files.lock) ? 'directory' : 'file', deps)),
  );
  if ((await readTextIfExists(files.tag)) !== cacheDirTag) await writeFileAtomic(files.tag, cacheDirTag, privateFileMode);
}

/** The root was checked first, so nobody else can swap the directory between lstat and chmod. */
async function closeDirectory(dir: string, deps: SecureDeps): Promise<void> {
  const stat = await fs.lstat(dir);
  if (stat.isSymbolicLink() || !stat.isDirectory() || (deps.uid !== undefined && stat.uid !== deps.uid)) {
    throw new KclError('config', `the cache directory ${dir} is ${entryProblem(stat, deps.uid, 'directory')}: ${fix}`);
  }
  if (deps.uid !== undefined && (stat.mode & 0o077) !== 0) {
    await fs.chmod(dir, privateDirMode);
    deps.warn(`kube-csr-login: ${dir} was open to other users; its mode is now 0700`);
  }
}

/** One of our names that someone else could have planted or changed is removed. */
async function discardIfPlanted(entry: string, kind: 'file' | 'directory', deps: SecureDeps): Promise<void> {
  const stat = await fs.lstat(entry).catch(() => undefined); // gone meanwhile: nothing to judge
  const problem = stat && entryProblem(stat, deps.uid, kind);
  if (!problem) return;
  deps.verbose(`discarding ${entry}: ${problem}`);
  await fs.rm(entry, { recursive: true, force: true }).catch((error: unknown) => {
    throw new KclError('config', `cannot discard ${entry} (${problem}): ${describe(error)}; ${fix}`, { cause: error });
  });
}
