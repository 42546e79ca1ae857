// After a denial, a rejected token or a failed signer, fail fast for a while instead of creating a
// CSR on every kubectl call. The record names the identity, so a new token clears it implicitly.
// It also counts consecutive failures of one kind: wrong passphrases back off longer each time.
import type { ErrorCode } from '../errors.js';
import { readTextIfExists, removeIfExists, writeFileAtomic } from '../util/files.js';
import { optionalNumber, parseJsonObject, string } from '../util/validate.js';

export interface Backoff {
  identity: string;
  until: Date;
  code: ErrorCode;
  message: string;
  /** Consecutive failures of this code for this identity, this one included. */
  failures?: number;
}

const backoffMs: Partial<Record<ErrorCode, number>> = {
  denied: 5 * 60_000,
  failed: 5 * 60_000,
  unauthorized: 60_000,
  forbidden: 60_000,
  wrongPassphrase: 30_000,
};
const maxPassphraseBackoffMs = 15 * 60_000;

/**
 * How long to hold off after this failure, or undefined when a retry may help at once. Wrong
 * passphrases (each failure is already three tries) double the wait every time, up to 15 minutes.
 */
export function backoffFor(code: ErrorCode, failures = 1): number | undefined {
  const base = backoffMs[code];
  if (base === undefined || code !== 'wrongPassphrase') return base;
  return Math.min(base * 2 ** Math.min(Math.max(failures - 1, 0), 10), maxPassphraseBackoffMs);
}

function isBackoffCode(code: string): code is ErrorCode {
  return Object.hasOwn(backoffMs, code);
}

export async function readBackoff(file: string, identity: string, now: Date): Promise<Backoff | undefined> {
  const backoff = await readRecord(file, identity);
  return backoff && backoff.until > now ? backoff : undefined;
}

/** Failures of this code recorded for this identity, whether or not the hold-off is over (0 if none). */
export async function consecutiveFailures(file: string, identity: string, code: ErrorCode): Promise<number> {
  const backoff = await readRecord(file, identity);
  return backoff?.code === code ? (backoff.failures ?? 1) : 0;
}

async function readRecord(file: string, identity: string): Promise<Backoff | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  try {
    const doc = parseJsonObject(text, 'backoff');
    const until = new Date(string(doc, 'until', 'backoff'));
    const code = string(doc, 'code', 'backoff');
    if (doc.version !== 1 || string(doc, 'identity', 'backoff') !== identity || Number.isNaN(until.getTime())) return undefined;
    if (!isBackoffCode(code)) return undefined;
    const failures = optionalNumber(doc, 'failures', 'backoff');
    const backoff: Backoff = { identity, until, code, message: string(doc, 'message', 'backoff') };
    if (failures !== undefined && Number.isInteger(failures) && failures > 0) backoff.failures = failures;
    return backoff;
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
