// Strict, atomic writes and forgiving reads for the cache and config directories.
// A write goes to a temp file in the same directory, is fsynced, then renamed over the target, so a
// reader (and a process killed mid-write) sees either the old file or the new one, never a mix.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { inputBounds, readFileBounded } from './bounded-read.js';

export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/** Undefined when the file does not exist; past maxBytes (default: our own files' bound) an error. */
export async function readTextIfExists(file: string, maxBytes: number = inputBounds.ownFile): Promise<string | undefined> {
  return readFileBounded(file, maxBytes);
}

export async function writeFileAtomic(file: string, content: string, mode = privateFileMode): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(mode); // the umask may have narrowed or widened the create mode
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/**
 * Creates the directory (and parents) with mode 0700. An existing directory open to group or others
 * is tightened; the returned flag says so, so the caller can warn.
 */
export async function ensurePrivateDir(dir: string): Promise<{ repaired: boolean }> {
  await fs.mkdir(dir, { recursive: true, mode: privateDirMode });
  const stat = await fs.stat(dir);
  if ((stat.mode & 0o077) === 0) return { repaired: false };
  await fs.chmod(dir, privateDirMode);
  return { repaired: true };
}

export async function removeIfExists(file: string): Promise<boolean> {
  try {
    await fs.rm(file, { recursive: true });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
