// kubectl-compatible kubeconfig lock: `<file>.lock` created with O_CREAT|O_EXCL, removed after.
import { open, unlink } from 'node:fs/promises';
import { KclError } from '../errors.js';
import { errorCode } from '../util/files.js';

export interface LockOptions {
  /** The caller's clock (the Edge's): a wait for another writer is counted in its polls. */
  sleep: (ms: number) => Promise<void>;
  timeoutMs?: number;
  pollMs?: number;
}

export async function withKubeconfigLock<T>(file: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  const lockFile = `${file}.lock`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pollMs = options.pollMs ?? 50;
  // counted in polls rather than read from a clock: the core reads no ambient time
  for (let waitedMs = 0; ; waitedMs += pollMs) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      await handle.close();
      break;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') {
        throw new KclError('config', `cannot create lock file ${lockFile}: ${errorCode(error) ?? 'unknown error'}`);
      }
      if (waitedMs >= timeoutMs) {
        throw new KclError(
          'lock',
          `kubeconfig is locked by another process: remove ${lockFile} if no kubectl or kube-csr-login is running`,
        );
      }
      await options.sleep(pollMs);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}
