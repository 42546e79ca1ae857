// The Node entry's fast path, for when the sh launcher did not run (no sh, or a client that
// executes bin/kube-csr-login.cjs directly): the same decision as the launcher, on the same file,
// loading nothing but node:fs and node:os. Returns the credential to print, or undefined to take the full path.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { answerFromFastPath, linuxCacheDir } from '../cache/fast-path.js';
import { entryProblem, guardingDirectories, rootChainProblem } from '../cache/ownership.js';

export { writeStdout } from './stdout.js';

export function fastPathAnswer(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
): string | undefined {
  if (args[0] !== 'get-credential' || env.KUBE_CSR_LOGIN_NO_FAST_PATH || env.KUBE_CSR_LOGIN_VERBOSE) return undefined;
  if (platform !== 'linux' || !env.HOME) return undefined;
  let profile = 'default';
  for (const [index, arg] of args.entries()) {
    if (args[index - 1] === '--profile') profile = arg;
    if (arg.startsWith('--profile=')) profile = arg.slice('--profile='.length);
    if (arg === '-v' || arg === '--verbose' || arg === '--background') return undefined;
  }
  if (!/^[a-z0-9._-]+$/.test(profile) || profile.startsWith('.')) return undefined;
  const root = linuxCacheDir(env, homedir());
  const dir = `${root}/${profile}`;
  const uid = process.getuid?.();
  let fd: number | undefined;
  try {
    // Only a cache that is ours alone, under directories nobody else can rename in, is served
    // (src/cache/ownership.ts): the file is opened without
    // following a link and judged by what was opened, so it cannot be swapped after the check.
    const guards = guardingDirectories(root, realpathSync(root)).map((d) => ({ dir: d, stat: statSync(d) }));
    if (rootChainProblem(guards, uid) || entryProblem(lstatSync(dir), uid, 'directory')) return undefined;
    fd = openSync(`${dir}/exec-credential`, constants.O_RDONLY | constants.O_NOFOLLOW);
    const own = fstatSync(fd, { bigint: true });
    if (entryProblem(own, uid, 'file')) return undefined;
    return answerFromFastPath(readFileSync(fd, 'utf8'), own.mtimeNs, {
      args,
      execInfoRaw: env.KUBERNETES_EXEC_INFO,
      nowMs: Date.now(),
      stat: (f) => {
        const s = statSync(f, { bigint: true, throwIfNoEntry: false });
        return s && { isFile: s.isFile(), mtimeNs: s.mtimeNs };
      },
    });
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
