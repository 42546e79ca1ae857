// The pre-rendered credential that bin/kube-csr-login (POSIX sh), and without sh the Node entry,
// serve without the full cache check. It is written only from a verified cache entry and records
// exactly the inputs it was rendered for; it is served only when the same arguments and
// KUBERNETES_EXEC_INFO arrive before the deadline, when the token, profile and CA files are
// older than it, and when the cache is ours alone (ownership.ts). Anything else goes to the full
// path, which decides exactly as before and rewrites this file. This module imports nothing heavy:
// it runs before anything else is loaded.

/**
 * The Linux cache directory, as env-paths computes it (XDG), unless overridden. Kept here, free of
 * imports, because the fast paths need it before anything else is loaded; home is os.homedir().
 */
export function linuxCacheDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  return env.KUBE_CSR_LOGIN_CACHE_DIR || `${env.XDG_CACHE_HOME || `${home}/.cache`}/kube-csr-login`;
}

/**
 * The file's format: one field per line, in this order. bin/kube-csr-login reads the same fields with
 * `read`, one shell variable each, in the same order; test/unit/launcher/fast-path-format.test.ts
 * holds both sides to this table field by field. A change of format is a new magic (version).
 * v3: ECDSA keys in the credential are SEC1 (src/pki/certificate.ts); a v2 file still holds PKCS#8.
 */
export const fastPathFormat = {
  magic: 'kube-csr-login-fast-path-v3',
  /** Joins the arguments. An argument holding it is never served from the file (both sides). */
  argumentSeparator: '|',
  fields: [
    { name: 'magic', sh: 'kcl_magic', holds: 'the magic above' },
    { name: 'deadline', sh: 'kcl_deadline', holds: 'the renewal deadline, whole epoch seconds' },
    { name: 'args', sh: 'kcl_want_args', holds: 'the arguments, joined by the separator' },
    { name: 'execInfo', sh: 'kcl_want_info', holds: 'KUBERNETES_EXEC_INFO without the spec.interactive value' },
    { name: 'tokenFile', sh: 'kcl_token', holds: 'the token file, which must be older than this file' },
    { name: 'profileFile', sh: 'kcl_prof', holds: 'the profile file, older than this file; !path: it must still not exist' },
    { name: 'caFile', sh: 'kcl_ca', holds: 'the CA file, older than this file, or empty' },
    { name: 'credential', sh: 'kcl_out', holds: 'the ExecCredential JSON, one line' },
  ],
} as const;

export type FastPathField = (typeof fastPathFormat.fields)[number]['name'];
type Fields = Record<FastPathField, string>;

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
function withoutInteractive(execInfoRaw: string | undefined): string {
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
  if (inputs.args.some((arg) => arg.includes(fastPathFormat.argumentSeparator))) return undefined;
  const fields: Fields = {
    magic: fastPathFormat.magic,
    deadline: String(deadlineSeconds(deadline)),
    args: inputs.args.join(fastPathFormat.argumentSeparator),
    execInfo: withoutInteractive(inputs.execInfoRaw),
    tokenFile: inputs.tokenFile,
    profileFile: inputs.profileExists ? inputs.profileFile : `!${inputs.profileFile}`,
    caFile: inputs.caFile ?? '',
    credential: credentialJson.trimEnd(),
  };
  const lines = fastPathFormat.fields.map(({ name }) => fields[name]);
  // A newline inside any field would shift the launcher's lines: then there is no fast path.
  if (lines.some((line) => line.includes('\n'))) return undefined;
  return `${lines.join('\n')}\n`;
}

/** The fields of a file, or undefined when one is missing: like `read`, each needs its newline. */
function parseFastPath(content: string): ((name: FastPathField) => string) | undefined {
  const lines = content.split('\n');
  if (lines.length <= fastPathFormat.fields.length) return undefined;
  return (name) => lines[fastPathFormat.fields.findIndex((field) => field.name === name)] ?? '';
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
  const field = parseFastPath(content);
  if (field?.('magic') !== fastPathFormat.magic) return undefined;
  if (request.args.some((arg) => arg.includes(fastPathFormat.argumentSeparator))) return undefined;
  if (field('args') !== request.args.join(fastPathFormat.argumentSeparator)) return undefined;
  if (field('execInfo') !== withoutInteractive(request.execInfoRaw)) return undefined;
  // The launcher's `[ -f F ] && [ ours -nt F ]`.
  const olderThanUs = (path: string) => {
    const stat = request.stat(path);
    return stat !== undefined && stat.isFile && stat.mtimeNs < ownMtimeNs;
  };
  if (!field('tokenFile') || !olderThanUs(field('tokenFile'))) return undefined;
  const profile = field('profileFile');
  if (profile.startsWith('!') ? request.stat(profile.slice(1)) !== undefined : !olderThanUs(profile)) return undefined;
  if (field('caFile') && !olderThanUs(field('caFile'))) return undefined;
  const deadline = field('deadline');
  if (!/^\d+$/.test(deadline) || Math.floor(request.nowMs / 1000) >= Number(deadline)) return undefined;
  return `${field('credential')}\n`;
}
