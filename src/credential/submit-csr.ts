// Submits our CSR under its fixed name (RBAC limits the user to that one name). An existing CSR of
// that name is reused when it carries our key and can still give us a certificate; it is replaced
// when it is finished or abandoned. A CSR from another machine of the same user that is still
// pending is left to finish first, so two machines take turns instead of deleting each other's.
import { KclError, isKclError } from '../errors.js';
import type { CsrApi } from '../kube/csr-api.js';
import { type CsrObject, apiServerClientSigner, condition, isInProgress } from '../kube/csr-object.js';

export interface SubmitInput {
  name: string;
  requestPem: () => Promise<string>;
  /** DER public key of our pending key, and a reader for the key inside an existing CSR. */
  ourPublicKey: Buffer;
  publicKeyOf: (csrPem: string) => Buffer;
  usages: string[];
  expirationSeconds: number;
  /** A foreign CSR still in progress after this long is considered abandoned. */
  abandonAfterMs: number;
  now: () => Date;
  /** False when an issued certificate can no longer be used (expired). */
  issuedStillValid: (certificatePem: string) => boolean;
  /** Waits for a foreign pending CSR to leave the pending state (or vanish). */
  waitWhilePending: (csr: CsrObject) => Promise<void>;
}

const maxAttempts = 5;

export async function submitCsr(api: CsrApi, input: SubmitInput): Promise<CsrObject> {
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const existing = await getIfExists(api, input.name);
    if (existing && isReusable(existing, input)) return existing;
    if (existing && isInProgress(existing) && !isAbandoned(existing, input)) {
      await input.waitWhilePending(existing);
      continue;
    }
    if (existing) await removeIfUnchanged(api, existing);
    try {
      return await api.create({
        name: input.name,
        requestPem: await input.requestPem(),
        usages: input.usages,
        expirationSeconds: input.expirationSeconds,
      });
    } catch (error) {
      if (!isKclError(error, 'conflict')) throw error; // someone created it in between: look again
    }
  }
  throw new KclError('conflict', `could not submit CSR ${input.name}: it keeps being replaced by another client`);
}

function isReusable(csr: CsrObject, input: SubmitInput): boolean {
  if (csr.signerName !== apiServerClientSigner) return false;
  if (condition(csr, 'Denied') || condition(csr, 'Failed')) return false;
  let theirs: Buffer;
  try {
    theirs = input.publicKeyOf(csr.requestPem);
  } catch {
    return false;
  }
  if (!theirs.equals(input.ourPublicKey)) return false;
  return csr.certificatePem === undefined || input.issuedStillValid(csr.certificatePem);
}

function isAbandoned(csr: CsrObject, input: SubmitInput): boolean {
  return input.now().getTime() - csr.creationTimestamp.getTime() > input.abandonAfterMs;
}

async function getIfExists(api: CsrApi, name: string): Promise<CsrObject | undefined> {
  try {
    return await api.get(name);
  } catch (error) {
    if (isKclError(error, 'notFound')) return undefined;
    throw error;
  }
}

async function removeIfUnchanged(api: CsrApi, csr: CsrObject): Promise<void> {
  try {
    await api.remove(csr.name, csr.uid);
  } catch (error) {
    // Gone already, or replaced by someone else (uid precondition): either way, look again.
    if (!isKclError(error, 'notFound') && !isKclError(error, 'conflict')) throw error;
  }
}
