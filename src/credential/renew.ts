// One renewal: key (resumed or new, saved before submitting), CSR, wait, verify, cache.
// Runs under the profile lock; the caller re-checks the cache before calling this.
import { KclError } from '../errors.js';
import { type VerifiedEntry, writeCredentialEntry } from '../cache/credential-entry.js';
import type { ProfileCacheFiles } from '../cache/layout.js';
import { readPendingKey, removePendingKey, writePendingKey } from '../cache/pending-key.js';
import type { CsrApi } from '../kube/csr-api.js';
import { isInProgress } from '../kube/csr-object.js';
import { describeCertificate, encodeChain, keyPemFor, parseCertificateChain, sameIdentity } from '../pki/certificate.js';
import { clientUsages } from '../pki/key-algorithm.js';
import { recordIssued } from '../trace/record-issued.js';
import { renewalDeadline } from './renewal-policy.js';
import type { Settings } from './settings.js';
import { submitCsr } from './submit-csr.js';
import { type WaitClock, waitForCertificate, watchCsrUntil } from './wait-for-certificate.js';

export interface RenewDeps extends WaitClock {
  random: () => number;
  /** Told once when a person may be waiting on an approval. */
  notifyWaiting: (message: string) => void;
}

export interface RenewInput {
  settings: Settings;
  identity: string;
  files: ProfileCacheFiles;
  api: CsrApi;
}

export async function renewCredential(deps: RenewDeps, input: RenewInput): Promise<VerifiedEntry> {
  const { settings, identity, files, api } = input;
  const pki = await import('../pki/csr.js');
  const pending = (await readPendingKey(files.pending, identity, settings.csrName)) ?? {
    identity,
    csrName: settings.csrName,
    privateKeyPem: await pki.generatePrivateKeyPem(settings.keyAlgorithm),
  };
  await writePendingKey(files.pending, pending);

  const deadline = new Date(deps.now().getTime() + settings.waitTimeoutMs);
  const csr = await submitCsr(api, {
    name: settings.csrName,
    requestPem: () => pki.buildCsrPem(pending.privateKeyPem, settings.keyAlgorithm, settings.user, settings.groups),
    ourPublicKey: pki.publicKeyDer(pending.privateKeyPem),
    publicKeyOf: pki.csrPublicKeyDer,
    usages: clientUsages(settings.keyAlgorithm),
    expirationSeconds: settings.expirationSeconds,
    abandonAfterMs: settings.waitTimeoutMs,
    now: deps.now,
    issuedStillValid: (pem) => isUsable(pem, deps.now()),
    waitWhilePending: async (other) => {
      await watchCsrUntil(api, other, (c) => !isInProgress(c), deadline, deps);
    },
    ourUsername: () => api.username(),
  });
  if (!csr.certificatePem) {
    deps.notifyWaiting(
      `kube-csr-login: waiting for CSR ${csr.name} to be approved (an admin can run: kubectl certificate approve ${csr.name})`,
    );
  }
  const chainPem = await waitForCertificate(api, csr, deadline, deps);

  const entry = verifyIssued(chainPem, pending.privateKeyPem, settings, identity, deps);
  await writeCredentialEntry(files.credential, entry);
  await removePendingKey(files.pending);
  await recordIssued(files.issued, entry, csr.name, deps.now());
  return entry;
}

function verifyIssued(chainPem: string, pendingKeyPem: string, settings: Settings, identity: string, deps: RenewDeps): VerifiedEntry {
  let chain;
  try {
    chain = parseCertificateChain(chainPem);
  } catch {
    throw new KclError('failed', `CSR ${settings.csrName} carries a certificate that does not parse`);
  }
  const leaf = chain[0];
  const privateKeyPem = leaf ? keyPemFor(leaf, pendingKeyPem) : undefined;
  if (!leaf || privateKeyPem === undefined) {
    throw new KclError('failed', `the certificate issued for CSR ${settings.csrName} is not for our key`);
  }
  const certificate = describeCertificate(leaf);
  if (!sameIdentity(certificate.subject, settings.user, settings.groups)) {
    throw new KclError('failed', `the certificate issued for CSR ${settings.csrName} names another user or groups`);
  }
  if (certificate.notAfter <= deps.now()) {
    throw new KclError('failed', `the certificate issued for CSR ${settings.csrName} has already expired (check the clock)`);
  }
  const renewAt = renewalDeadline(certificate, settings.renewWindow, deps.random);
  return { identity, certificateChainPem: encodeChain(chain), privateKeyPem, renewAt, certificate };
}

function isUsable(certificatePem: string, now: Date): boolean {
  try {
    const leaf = parseCertificateChain(certificatePem)[0];
    return leaf !== undefined && describeCertificate(leaf).notAfter > now;
  } catch {
    return false;
  }
}
