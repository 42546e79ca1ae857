// The pre-rendered credential that bin/kube-csr-login (POSIX sh), and without sh the Node entry,
// serve without the full cache check. It is written only from a verified cache entry and records
// exactly the inputs it was rendered for; it is served only when the same arguments and
// KUBERNETES_EXEC_INFO arrive before the deadline, and when the token, profile and CA files are
// older than it. Anything else goes to the full path, which decides exactly as before and rewrites
// this file. This module imports nothing heavy: it runs before anything else is loaded.
//
// Format, one field per line (the launcher reads it with `read`; keep both in step):
//   1 magic   2 deadline (epoch seconds)   3 arguments joined by US (0x1f)
//   4 KUBERNETES_EXEC_INFO without the "interactive" value   5 token file
//   6 profile file, or !path when there was none (it must still not exist)
//   7 CA file   8 the ExecCredential JSON (one line)

/**
 * The Linux cache directory, as env-paths computes it (XDG), unless overridden. Kept here, free of
 * imports, because the fast paths need it before anything else is loaded; home is os.homedir().
 */
export function linuxCacheDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  return env.KUBE_CSR_LOGIN_CACHE_DIR || `${env.XDG_CACHE_HOME || `${home}/.cache`}/kube-csr-login`;
}

export const fastPathMagic = 'kube-csr-login-fast-path-v1';
export const argumentSeparator = '\x1f';

export interface FastPathInputs {
  args: readonly string[];
  execInfoRaw: string | undefined;
  tokenFile: string;
  profileFile: string;
  /** Without a profile the launcher must see that it still does not exist. */
  profileExists: boolean;
  caFile: string | undefined;
}

/** spec.interactive differs between a terminal and a pipe but does not change the answer. */
export function withoutInteractive(execInfoRaw: string | undefined): string {
  const raw = execInfoRaw ?? '';
  const marker = '"interactive":';
  const at = raw.indexOf(marker);
  if (at < 0) return raw;
  let rest = raw.slice(at + marker.length);
  if (rest.startsWith('true')) rest = rest.slice(4);
  else if (rest.startsWith('false')) rest = rest.slice(5);
  return raw.slice(0, at) + rest;
}

/** Line 2 of the file and the name of its marker (deadline-clock.ts): whole epoch seconds. */
export function deadlineSeconds(deadline: Date): number {
  return Math.floor(deadline.getTime() / 1000);
}

export function renderFastPath(inputs: FastPathInputs, deadline: Date, credentialJson: string): string | undefined {
  const fields = [
    fastPathMagic,
    String(deadlineSeconds(deadline)),
    inputs.args.join(argumentSeparator),
    withoutInteractive(inputs.execInfoRaw),
    inputs.tokenFile,
    inputs.profileExists ? inputs.profileFile : `!${inputs.profileFile}`,
    inputs.caFile ?? '',
    credentialJson.trimEnd(),
  ];
  // A newline inside any field would shift the launcher's lines: then there is no fast path.
  if (fields.some((field) => field.includes('\n'))) return undefined;
  return `${fields.join('\n')}\n`;
}

export interface FastPathRequest {
  args: readonly string[];
  execInfoRaw: string | undefined;
  nowMs: number;
  /** stat of a path (following links), or undefined when nothing is there. */
  stat: (file: string) => { isFile: boolean; mtimeNs: bigint } | undefined;
}

/**
 * The credential to print when the file (whose own mtime is ownMtimeNs) answers this request, as
 * the launcher decides it; undefined otherwise.
 */
export function answerFromFastPath(content: string, ownMtimeNs: bigint, request: FastPathRequest): string | undefined {
  const [magic, deadline, args, info, token, profile, ca, output, ...rest] = content.split('\n');
  // Like `read`, every field needs its newline: a file cut short is not served.
  if (magic !== fastPathMagic || output === undefined || rest.length === 0) return undefined;
  if (args !== request.args.join(argumentSeparator) || info !== withoutInteractive(request.execInfoRaw)) return undefined;
  // The launcher's `[ -f F ] && [ ours -nt F ]`.
  const olderThanUs = (file: string) => {
    const stat = request.stat(file);
    return stat !== undefined && stat.isFile && stat.mtimeNs < ownMtimeNs;
  };
  if (!token || !olderThanUs(token)) return undefined;
  if (profile === undefined || (profile.startsWith('!') ? request.stat(profile.slice(1)) !== undefined : !olderThanUs(profile))) {
    return undefined;
  }
  if (ca && !olderThanUs(ca)) return undefined;
  if (!/^\d+$/.test(deadline ?? '') || Math.floor(request.nowMs / 1000) >= Number(deadline)) return undefined;
  return `${output}\n`;
}
