// The file setup read the token from (a login bundle, a --token-file) holds it in plain text after
// setup has stored it elsewhere. This module remembers which file that was (path, inode, content
// digest), removes exactly that file when asked and only while it is unchanged, and tells whether a
// recorded copy still holds the token (for status).
//
// Removal is an unlink: the data stays on the disk until its blocks are reused, and in any backup,
// snapshot or sync client that saw the file. Overwriting first would not help on journaling or
// copy-on-write filesystems and SSDs, so it is not pretended; the lasting fix for a copy that
// leaked is a new token (docs/security.md).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe } from '../errors.js';
import { checkToken } from '../credential/identity.js';
import { type PlainTextCopy, tokenSha256 } from '../token/token-source.js';
import { inputBounds, readFileBounded, readNamedFile, readOpenedFile } from '../util/bounded-read.js';
import { parseLoginBundle } from './login-input.js';

/** The file as setup opened it. */
export interface TokenInputFile {
  file: string;
  kind: PlainTextCopy['kind'];
  dev: number;
  ino: number;
  contentSha256: string;
}

const boundOf = (kind: PlainTextCopy['kind']) => (kind === 'bundle' ? inputBounds.loginBundle : inputBounds.token);
const what = (kind: PlainTextCopy['kind'], file: string) => (kind === 'bundle' ? `the login bundle ${file}` : `the token file ${file}`);

/** Reads a bundle or token file within its bound and notes which file it was. */
export async function readTokenInput(file: string, kind: PlainTextCopy['kind']): Promise<{ text: string; input: TokenInputFile }> {
  const absolute = path.resolve(file);
  const { text, stat } = await readNamedFile(absolute, boundOf(kind), what(kind, file));
  return { text, input: { file: absolute, kind, dev: stat.dev, ino: stat.ino, contentSha256: sha256(text) } };
}

/** The token a bundle or token file holds, undefined when it holds none. */
function tokenIn(text: string, copy: { kind: PlainTextCopy['kind']; file: string }): string | undefined {
  try {
    return copy.kind === 'bundle' ? parseLoginBundle(text, copy.file).token : checkToken(text, copy.file);
  } catch {
    return undefined;
  }
}

export function recordOf(input: TokenInputFile, token: string): PlainTextCopy {
  return { file: input.file, kind: input.kind, tokenSha256: tokenSha256(token) };
}

/** For status: the recorded file still exists and still holds that token (read, never shown). */
export async function stillHoldsToken(copy: PlainTextCopy): Promise<boolean> {
  const text = await readFileBounded(copy.file, boundOf(copy.kind)).catch(() => undefined);
  const token = text === undefined ? undefined : tokenIn(text, copy);
  return token !== undefined && tokenSha256(token) === copy.tokenSha256;
}

/**
 * Unlinks the file setup read, only while it is that same file (not a link, same inode, no other
 * hard link) with the same content. Returns why it was left in place, undefined once removed.
 */
export async function removeTokenInput(input: TokenInputFile): Promise<string | undefined> {
  try {
    const stat = await fs.lstat(input.file);
    if (stat.isSymbolicLink()) return 'it is a symbolic link: remove the file it points to yourself';
    if (!stat.isFile() || stat.dev !== input.dev || stat.ino !== input.ino) return 'it was replaced since setup read it';
    if (stat.nlink > 1) return `it has ${stat.nlink - 1} other hard link(s), which would keep the token`;
    const read = await readOpenedFile(input.file, boundOf(input.kind));
    const same = read && read.stat.dev === input.dev && read.stat.ino === input.ino && sha256(read.text) === input.contentSha256;
    if (!same) return 'it changed since setup read it';
    await fs.unlink(input.file);
    return undefined;
  } catch (error) {
    return `it could not be removed: ${describe(error)}`;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
