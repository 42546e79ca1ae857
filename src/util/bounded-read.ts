// Input someone else may size (a file a user names, stdin, an API server's answer) is read up to a
// bound and refused past it, before any parsing: a 1 GB "token file", /dev/zero or an endless
// response is a clear error after a bounded read, not a stalled process. Every bound is far above the
// largest real input of its kind (docs/security.md gives the figures) and far below what would stall.
import { type Stats, promises as fs } from 'node:fs';
import { KclError } from '../errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export const inputBounds = {
  /** A ServiceAccount token: ~1 KB (a bound token with long names ~2 KB). */
  token: 64 * KiB,
  /** A login bundle: one cluster with its CA, one token user, ~4 KB. */
  loginBundle: 1 * MiB,
  /** A CA bundle: a whole system trust store is ~250 KB. */
  certificateAuthority: 4 * MiB,
  /** A kubeconfig: large ones (hundreds of clusters with embedded CAs) are a few MB. */
  kubeconfig: 16 * MiB,
  /** kubectl's kuberc preferences: aliases and defaults, a few KB. */
  kuberc: 1 * MiB,
  /** Our own profile and cache files: a few KB (an RSA-4096 key with its chain ~6 KB). */
  ownFile: 1 * MiB,
  /** A CSR object (YAML/JSON) to explain: the API server stores objects up to ~1.5 MB. */
  objectFile: 4 * MiB,
  /**
   * A CSR's spec.request as the approver judges it: ours are ~370 bytes (ECDSA P-256), an RSA-4096
   * request with a 63-character CN and 30 long groups is ~3.2 KB. Past this, no PEM or DER is read.
   */
  csrRequest: 16 * KiB,
  /** One API answer or one watch event: an object (~1.5 MB in etcd, base64 grows it in JSON) or a page. */
  apiResponse: 4 * MiB,
} as const;

/** The error for input past its bound; `what` names it ("the token file /x", "stdin"). */
export function tooLarge(what: string, maxBytes: number, code: 'config' | 'server' = 'config'): KclError {
  return new KclError(code, `${what} is larger than ${maxBytes} bytes: refused unread`);
}

/** Collects a byte stream up to maxBytes; one byte more rejects it (the rest is not read). */
export async function readAllBounded(
  chunks: AsyncIterable<Uint8Array | string>,
  maxBytes: number,
  what: string,
  code: 'config' | 'server' = 'config',
): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    size += bytes.length;
    if (size > maxBytes) throw tooLarge(what, maxBytes, code);
    parts.push(bytes);
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * A file's text, read through one descriptor up to maxBytes (a regular file's size is checked
 * first; a FIFO or a device such as /dev/zero is read until the bound), undefined when it does not
 * exist.
 */
export async function readFileBounded(file: string, maxBytes: number, what = file): Promise<string | undefined> {
  return (await readOpenedFile(file, maxBytes, what))?.text;
}

/** The same, with the stat of the descriptor it read: which file (dev, ino) the text came from. */
export async function readOpenedFile(file: string, maxBytes: number, what = file): Promise<{ text: string; stat: Stats } | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge(what, maxBytes);
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      // at most one byte past the bound is ever read
      const chunk = Buffer.allocUnsafe(Math.min(stat.isFile() ? stat.size + 1 : 64 * KiB, maxBytes + 1 - size, 64 * KiB));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > maxBytes) throw tooLarge(what, maxBytes);
      parts.push(chunk.subarray(0, bytesRead));
    }
    return { text: Buffer.concat(parts).toString('utf8'), stat };
  } finally {
    await handle.close();
  }
}

/** A file a user named (a flag): missing or unreadable is a config error naming it and the cause. */
export async function readNamedFile(file: string, maxBytes: number, what: string): Promise<{ text: string; stat: Stats }> {
  let read: { text: string; stat: Stats } | undefined;
  try {
    read = await readOpenedFile(file, maxBytes, what);
  } catch (error) {
    if (error instanceof KclError) throw error;
    throw new KclError('config', `cannot read ${what}: ${codeOf(error) ?? 'unreadable'}`);
  }
  if (read === undefined) throw new KclError('config', `cannot read ${what}: ENOENT`);
  return read;
}

// not util/files.ts's errorCode: that module reads through this one
function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
