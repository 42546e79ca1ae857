// logout: forget a profile's cached credentials. Only what kube-csr-login made is touched, since
// the cache dir may be any directory (KUBE_CSR_LOGIN_CACHE_DIR=$HOME): a profile directory counts
// as ours when it is a real directory of this user holding our CACHEDIR.TAG (or, written before
// the tag existed, our fast path file); in it only the names of src/cache/layout.ts are removed,
// and the directory itself only if nothing else is left. The launcher's pre-rendered answer goes
// first, so no call can be served from it once its certificate is gone.
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { isNotFound } from '../util/files.js';
import { fastPathFormat } from './fast-path.js';
import { cacheDirTag, isProfileCacheEntry, profileCacheFiles } from './layout.js';

/** The first line of a fast path file of any version: kube-csr-login-fast-path-v<N>. */
const fastPathMagicLine = new RegExp(`^${fastPathFormat.magic.replace(/\d+$/, '')}\\d+\n`);

/** Returns the names of the profiles whose cache was removed. */
export async function clearProfiles(cacheDir: string, profiles: string[] | 'all', uid: number | undefined): Promise<string[]> {
  const names = profiles === 'all' ? await fs.readdir(cacheDir).catch(() => []) : profiles;
  const cleared: string[] = [];
  for (const name of names) {
    const files = profileCacheFiles(cacheDir, name);
    if (!(await isOurProfileDir(files.dir, uid))) continue;
    const entries = (await fs.readdir(files.dir)).filter(isProfileCacheEntry);
    const fastPathFirst = [path.basename(files.fastPath), ...entries.filter((entry) => entry !== path.basename(files.fastPath))];
    for (const entry of fastPathFirst) {
      await fs.rm(path.join(files.dir, entry), { recursive: entry === path.basename(files.lock), force: true });
    }
    await fs.rmdir(files.dir).catch(() => undefined); // something not ours is left in it: keep it
    cleared.push(name);
  }
  return cleared;
}

async function isOurProfileDir(dir: string, uid: number | undefined): Promise<boolean> {
  const stat = await fs.lstat(dir).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!stat?.isDirectory() || (uid !== undefined && stat.uid !== uid)) return false; // a link, a file, someone else's
  const files = profileCacheFiles(path.dirname(dir), path.basename(dir));
  const [tag, fastPath] = await Promise.all([readStart(files.tag, cacheDirTag.length), readStart(files.fastPath, 64)]);
  return tag === cacheDirTag || fastPathMagicLine.test(fastPath ?? '');
}

/** The first bytes of a regular file, never read through a link; undefined when there is none. */
async function readStart(file: string, length: number): Promise<string | undefined> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
  if (!handle) return undefined;
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
