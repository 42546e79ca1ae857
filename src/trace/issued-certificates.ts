// The profile's record of the certificates it obtained (<profile dir>/issued.json, 0600, atomic):
// credential id, validity window, when and from which CSR. Never the key or the PEM. Written once per
// renewal (never on the cache-hit path); read by `status`. A corrupt file reads as empty and is
// rewritten with the next renewal. The newest entries are kept, up to a bound.
import { readTextIfExists, writeFileAtomic } from '../util/files.js';
import { isRecord, parseJsonObject } from '../util/validate.js';
import { isCredentialId } from './credential-id.js';

export interface IssuedCertificate {
  credentialId: string;
  csrName: string;
  obtainedAt: Date;
  notBefore: Date;
  notAfter: Date;
}

const keep = 20;

async function readIssuedCertificates(file: string): Promise<IssuedCertificate[]> {
  const text = await readTextIfExists(file).catch(() => undefined);
  if (text === undefined) return [];
  try {
    const doc = parseJsonObject(text, 'issued certificates');
    if (doc.version !== 1 || !Array.isArray(doc.certificates)) return [];
    const items: unknown[] = doc.certificates;
    return items.map(parseItem).filter((item) => item !== undefined);
  } catch {
    return [];
  }
}

export async function recordIssuedCertificate(file: string, issued: IssuedCertificate): Promise<void> {
  const previous = (await readIssuedCertificates(file)).filter((item) => item.credentialId !== issued.credentialId);
  const certificates = [...previous, issued].slice(-keep).map((item) => ({
    credentialId: item.credentialId,
    csrName: item.csrName,
    obtainedAt: item.obtainedAt.toISOString(),
    notBefore: item.notBefore.toISOString(),
    notAfter: item.notAfter.toISOString(),
  }));
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, certificates }, null, 2)}\n`);
}

function parseItem(value: unknown): IssuedCertificate | undefined {
  if (!isRecord(value) || !isCredentialId(value.credentialId) || typeof value.csrName !== 'string') return undefined;
  const [obtainedAt, notBefore, notAfter] = [value.obtainedAt, value.notBefore, value.notAfter].map(dateOf);
  if (!obtainedAt || !notBefore || !notAfter) return undefined;
  return { credentialId: value.credentialId, csrName: value.csrName, obtainedAt, notBefore, notAfter };
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
