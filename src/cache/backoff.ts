// After a denial, a rejected token or a failed signer, fail fast for a while instead of creating a
// CSR on every kubectl call. The record names the identity, so a new token clears it implicitly.
import type { ErrorCode } from '../errors.js';
import { readTextIfExists, removeIfExists, writeFileAtomic } from '../util/files.js';
import { parseJsonObject, string } from '../util/validate.js';

export interface Backoff {
  identity: string;
  until: Date;
  code: ErrorCode;
  message: string;
}

const backoffMs: Partial<Record<ErrorCode, number>> = {
  denied: 5 * 60_000,
  failed: 5 * 60_000,
  unauthorized: 60_000,
  forbidden: 60_000,
};

/** How long to hold off after this failure, or undefined when a retry may help at once. */
export function backoffFor(code: ErrorCode): number | undefined {
  return backoffMs[code];
}

function isBackoffCode(code: string): code is ErrorCode {
  return Object.hasOwn(backoffMs, code);
}

export async function readBackoff(file: string, identity: string, now: Date): Promise<Backoff | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  try {
    const doc = parseJsonObject(text, 'backoff');
    const until = new Date(string(doc, 'until', 'backoff'));
    const code = string(doc, 'code', 'backoff');
    if (doc.version !== 1 || string(doc, 'identity', 'backoff') !== identity || !(until > now)) return undefined;
    if (!isBackoffCode(code)) return undefined;
    return { identity, until, code, message: string(doc, 'message', 'backoff') };
  } catch {
    return undefined;
  }
}

export async function writeBackoff(file: string, backoff: Backoff): Promise<void> {
  const doc = { version: 1, ...backoff, until: backoff.until.toISOString() };
  await writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
}

export async function clearBackoff(file: string): Promise<void> {
  await removeIfExists(file);
}
