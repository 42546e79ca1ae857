// Who may have written a cache entry. Another local user who can plant or replace files in our
// cache (a shared KUBE_CSR_LOGIN_CACHE_DIR, a directory left open) could make us serve their
// credential or write through their symlinks, so an entry is trusted only when it is ours alone:
// owned by our uid, not a symlink, not writable by group or others. The cache root may also be a
// shared sticky directory such as /tmp (others cannot rename or remove what we own there), and
// so may every directory above it: one that another non-root user can rename entries in (theirs,
// or writable without the sticky bit) lets them swap the whole root for theirs.
// Pure and import-free: the Node fast path uses it before anything else is loaded; the sh
// launcher judges what it opened and otherwise relies on Node writing its file only under a root
// accepted here (bin/kube-csr-login, docs/security-launcher.md). Keep the three in step.

/** node:fs Stats or BigIntStats. */
export interface StatLike {
  uid: number | bigint;
  mode: number | bigint;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

const groupOrOtherWrite = 0o022;
const sticky = 0o1000;

/**
 * Why this entry (from lstat, or fstat of a file opened with O_NOFOLLOW) is not ours alone;
 * undefined when it is. uid undefined: a platform without uids (Windows), where only links count.
 */
export function entryProblem(stat: StatLike, uid: number | undefined, kind: 'file' | 'directory'): string | undefined {
  const [owner, mode] = [Number(stat.uid), Number(stat.mode)];
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) return `not a ${kind}`;
  if (uid === undefined) return undefined;
  if (owner !== uid) return `owned by uid ${owner}, not by you (uid ${uid})`;
  if ((mode & groupOrOtherWrite) !== 0) return `writable by group or others (mode ${modeText(mode)})`;
  return undefined;
}

/** The cache root (stat, following links: ~/.cache may be a link): ours or root's, and private or sticky. */
function rootProblem(stat: StatLike, uid: number | undefined): string | undefined {
  const [owner, mode] = [Number(stat.uid), Number(stat.mode)];
  if (!stat.isDirectory()) return 'not a directory';
  if (uid === undefined) return undefined;
  if (owner !== uid && owner !== 0) return `owned by uid ${owner}, not by you (uid ${uid})`;
  if ((mode & groupOrOtherWrite) !== 0 && (mode & sticky) === 0) {
    return `writable by group or others without the sticky bit (mode ${modeText(mode)})`;
  }
  return undefined;
}

/**
 * The directories whose owners and modes decide whether others can swap the cache root: the root
 * and each directory above it, as written (when absolute) and as resolved (the root or a parent
 * may be a link, e.g. ~/.cache). Deepest first, no duplicates.
 */
export function guardingDirectories(root: string, resolvedRoot: string): string[] {
  const chain = (dir: string): string[] => {
    if (!dir.startsWith('/')) return [dir]; // Windows: no uids, only the root itself is judged
    const dirs: string[] = [];
    let current = dir.replace(/\/+$/, '') || '/';
    for (;;) {
      dirs.push(current);
      if (current === '/') return dirs;
      current = current.slice(0, current.lastIndexOf('/')) || '/';
    }
  };
  const written = root.startsWith('/') ? chain(root) : [];
  return [...new Set([...chain(resolvedRoot), ...written])];
}

/** The first of guardingDirectories (stat of each, following links) that others could rename in. */
export function rootChainProblem(dirs: readonly { dir: string; stat: StatLike }[], uid: number | undefined): string | undefined {
  for (const [index, { dir, stat }] of dirs.entries()) {
    const problem = rootProblem(stat, uid);
    if (problem) return index === 0 ? problem : `under ${dir}, which is ${problem}`;
  }
  return undefined;
}

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
