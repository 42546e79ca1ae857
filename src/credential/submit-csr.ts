// Submits our CSR under its fixed name (RBAC limits the user to that one name). An existing CSR of
// that name is reused when it carries our key (the API server checks the request's self-signature,
// so only the key's holder made it) and can still give us a certificate; it is replaced when it is
// finished or abandoned. A CSR from another machine of the same user (same spec.username) that is
// still pending is left to finish first, so two machines take turns instead of deleting each
// other's. One that someone else made under our name (any signer, never to be approved for us)
// is deleted at once (our RBAC allows delete on our own name): waiting on it would end in a
// timeout that asks an admin to approve someone else's request.
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
  /** spec.username of our own CSRs; asked only when a pending CSR of our name is in the way. */
  ourUsername: () => Promise<string>;
}

const maxAttempts = 5;

export async function submitCsr(api: CsrApi, input: SubmitInput): Promise<CsrObject> {
  let us: Promise<string> | undefined;
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const existing = await getIfExists(api, input.name);
    if (existing && isReusable(existing, input)) return existing;
    if (existing && isInProgress(existing) && !isAbandoned(existing, input)) {
      const username = await (us ??= input.ourUsername());
      if (existing.username === username) await input.waitWhilePending(existing);
      else await removeSomeoneElses(api, existing, username);
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

async function removeSomeoneElses(api: CsrApi, csr: CsrObject, username: string): Promise<void> {
  try {
    await removeIfUnchanged(api, csr);
  } catch (error) {
    if (!isKclError(error, 'forbidden')) throw error;
    const owner = csr.username === undefined ? 'someone else' : JSON.stringify(csr.username);
    throw new KclError(
      'conflict',
      `CSR ${csr.name} was made by ${owner}, not by you (${JSON.stringify(username)}), and you may not delete it: it is not yours to approve; an admin can delete it with: kubectl delete csr ${csr.name}`,
      { cause: error },
    );
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
