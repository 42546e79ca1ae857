// The key of a renewal in flight, saved before the CSR is submitted. If kubectl is killed while
// waiting for approval, the next run finds this key and resumes on the same CSR instead of
// creating another one.
import { readTextIfExists, removeIfExists, writeFileAtomic } from '../util/files.js';
import { parseJsonObject, string } from '../util/validate.js';

export interface PendingKey {
  identity: string;
  csrName: string;
  privateKeyPem: string;
}

/** A pending key for another identity or CSR name, or an unreadable file, is ignored. */
export async function readPendingKey(file: string, identity: string, csrName: string): Promise<PendingKey | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  try {
    const doc = parseJsonObject(text, 'pending key');
    const pending = {
      identity: string(doc, 'identity', 'pending'),
      csrName: string(doc, 'csrName', 'pending'),
      privateKeyPem: string(doc, 'privateKeyPem', 'pending'),
    };
    return doc.version === 1 && pending.identity === identity && pending.csrName === csrName ? pending : undefined;
  } catch {
    return undefined;
  }
}

export async function writePendingKey(file: string, pending: PendingKey): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, ...pending }, null, 2)}\n`);
}

export async function removePendingKey(file: string): Promise<void> {
  await removeIfExists(file);
}
