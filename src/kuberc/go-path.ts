// The two Go path functions client-go's credential plugin allowlist is built on, so that our answer
// matches kubectl's: filepath.Clean and exec.LookPath. LookPath neither resolves symlinks nor expands
// `~`; a bare name is searched in PATH (a relative result is an error, Go's ErrDot), a name with a
// separator is only checked to be an executable file.
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

export interface LookPathEnv {
  platform: NodeJS.Platform;
  /** PATH as kubectl gets it (the environment it is started from). */
  path: string | undefined;
  /** PATHEXT (Windows). */
  pathExt: string | undefined;
  /** Where kubectl runs: relative names resolve against it. */
  cwd: string;
}

export type LookPathResult = { path: string; error?: undefined } | { path?: string; error: string };

/** filepath.Clean: the shortest equivalent path, no trailing separator, "." for empty. */
export function goClean(file: string, platform: NodeJS.Platform): string {
  if (file === '') return '.';
  const p = platform === 'win32' ? path.win32 : path.posix;
  const normal = p.normalize(file);
  const root = p.parse(normal).root;
  return normal.length > root.length && normal.endsWith(p.sep) ? normal.slice(0, -1) : normal;
}

/** filepath.Base. */
export function goBase(file: string, platform: NodeJS.Platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const trimmed = file.replace(platform === 'win32' ? /[\\/]+$/ : /\/+$/, '');
  if (trimmed === '') return file === '' ? '.' : p.sep;
  return p.basename(trimmed);
}

export async function lookPath(file: string, env: LookPathEnv): Promise<LookPathResult> {
  const win = env.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const extensions = win ? (env.pathExt || '.com;.exe;.bat;.cmd').toLowerCase().split(';').filter(Boolean) : [''];
  const candidates = (base: string) => (win && p.extname(base) === '' ? extensions.map((ext) => base + ext) : [base]);
  const hasSeparator = win ? /[\\/:]/.test(file) : file.includes('/');
  if (hasSeparator) {
    for (const candidate of candidates(file)) {
      if (await isExecutable(p.resolve(env.cwd, candidate), win)) return { path: candidate };
    }
    return { error: `${file}: not an executable file` };
  }
  // filepath.SplitList: an empty PATH is no directory at all; an empty element is "."
  const dirs = env.path ? env.path.split(win ? ';' : ':') : [];
  for (const dir of dirs) {
    for (const candidate of candidates(p.join(dir === '' ? '.' : dir, file))) {
      if (!(await isExecutable(p.resolve(env.cwd, candidate), win))) continue;
      if (!p.isAbsolute(candidate))
        return { path: candidate, error: `${file} resolves to ${candidate}, relative to the current directory` };
      return { path: candidate };
    }
  }
  return { error: `${file}: executable file not found in $PATH` };
}

async function isExecutable(file: string, win: boolean): Promise<boolean> {
  try {
    if ((await fs.stat(file)).isDirectory()) return false;
    if (!win) await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
