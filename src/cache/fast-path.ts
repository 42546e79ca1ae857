// The pre-rendered credential that bin/kube-csr-login (POSIX sh) serves without starting Node.
// It is written only from a verified cache entry, and records exactly the inputs it was rendered
// for; the launcher serves it only when the same arguments and KUBERNETES_EXEC_INFO arrive before
// the deadline, and when the token, profile and CA files are older than it. Anything else goes to
// Node, which decides exactly as before and rewrites this file.
//
// Format, one field per line (the launcher reads it with `read`; keep both in step):
//   1 magic   2 deadline (epoch seconds)   3 arguments joined by US (0x1f)
//   4 KUBERNETES_EXEC_INFO without the "interactive" value   5 token file
//   6 profile file, or !path when there was none (it must still not exist)
//   7 CA file   8 the ExecCredential JSON (one line)
import { promises as fs } from 'node:fs';
import { readTextIfExists, writeFileAtomic } from '../util/files.js';

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

export function renderFastPath(inputs: FastPathInputs, deadline: Date, credentialJson: string): string | undefined {
  const fields = [
    fastPathMagic,
    String(Math.floor(deadline.getTime() / 1000)),
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

/**
 * Rewrites the file when its content changed or a watched file is newer (the launcher would keep
 * missing), so a warm cache hit normally does not write.
 */
export async function refreshFastPath(file: string, content: string | undefined, inputs: FastPathInputs): Promise<void> {
  if (content === undefined) return;
  if ((await readTextIfExists(file)) === content && !(await anyNewer(file, watchedFiles(inputs)))) return;
  await writeFileAtomic(file, content);
}

function watchedFiles(inputs: FastPathInputs): string[] {
  const profile = inputs.profileExists ? inputs.profileFile : undefined;
  return [inputs.tokenFile, profile, inputs.caFile].filter((f): f is string => Boolean(f));
}

async function anyNewer(file: string, others: string[]): Promise<boolean> {
  const mtime = async (f: string) => (await fs.stat(f, { bigint: true })).mtimeNs;
  const own = await mtime(file);
  for (const other of others) {
    try {
      if ((await mtime(other)) >= own) return true;
    } catch {
      // a missing watched file sends the launcher to Node anyway
    }
  }
  return false;
}
