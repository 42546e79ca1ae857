// `admin list-users`: the ServiceAccounts in the users namespace that kube-csr-login manages, each
// with its groups, its CSR (user=NAME, requested by that ServiceAccount) and the NotAfter of the
// certificate that CSR holds. Read-only: two list calls.
import { KclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { type CsrObject, condition, parseCsrObject } from '../kube/csr-object.js';
import { parseServiceAccount } from '../kube/service-account.js';
import { describeCertificate, parseCertificateChain } from '../pki/certificate.js';
import { isRecord } from '../util/validate.js';
import { adminError } from './object-refs.js';

type CsrState = 'Pending' | 'Approved' | 'Issued' | 'Denied' | 'Failed';

export interface UserRow {
  name: string;
  groups: string[];
  csr?: { name: string; created: Date; state: CsrState };
  /** NotAfter of the CSR's certificate, when it holds a readable one. */
  certificateExpires?: Date;
}

const managedBySelector = 'app.kubernetes.io/managed-by=kube-csr-login';
const timeoutMs = 30_000;

export async function listUsers(client: ApiClient, usersNamespace: string): Promise<UserRow[]> {
  const accounts = await list(
    client,
    `/api/v1/namespaces/${encodeURIComponent(usersNamespace)}/serviceaccounts?labelSelector=${encodeURIComponent(managedBySelector)}`,
    `list the ServiceAccounts in namespace ${usersNamespace}`,
  );
  if (accounts.length === 0) return [];
  const csrs = await list(client, '/apis/certificates.k8s.io/v1/certificatesigningrequests', 'list the CertificateSigningRequests');
  const byName = new Map(csrs.filter(isRecord).map((item) => [isRecord(item.metadata) ? item.metadata.name : undefined, item] as const));
  return accounts
    .map((item) => {
      const account = readItem(() => parseServiceAccount(item), 'ServiceAccount');
      const row: UserRow = { name: account.name, groups: account.groups };
      const raw = byName.get(`user=${account.name}`);
      const csr = raw === undefined ? undefined : readItem(() => parseCsrObject(raw), `CSR user=${account.name}`);
      // The name is fixed, but a user of the same name in another users namespace shares it.
      if (csr && (csr.username === undefined || csr.username === `system:serviceaccount:${usersNamespace}:${account.name}`)) {
        row.csr = { name: csr.name, created: csr.creationTimestamp, state: csrState(csr) };
        const expires = certificateExpiry(csr);
        if (expires) row.certificateExpires = expires;
      }
      return row;
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function csrState(csr: CsrObject): CsrState {
  if (condition(csr, 'Denied')) return 'Denied';
  if (condition(csr, 'Failed')) return 'Failed';
  if (csr.certificatePem) return 'Issued';
  return condition(csr, 'Approved') ? 'Approved' : 'Pending';
}

function certificateExpiry(csr: CsrObject): Date | undefined {
  if (!csr.certificatePem) return undefined;
  try {
    const [leaf] = parseCertificateChain(csr.certificatePem);
    return leaf ? describeCertificate(leaf).notAfter : undefined;
  } catch {
    return undefined; // shown as unknown; the signer never issues unreadable certificates
  }
}

async function list(client: ApiClient, path: string, what: string): Promise<unknown[]> {
  const answer = await client.json({ method: 'GET', path, timeoutMs }).catch((error: unknown) => {
    throw adminError(error, what);
  });
  if (!isRecord(answer) || !Array.isArray(answer.items))
    throw new KclError('server', `could not ${what}: the API server sent no items list`);
  const items: unknown[] = answer.items;
  return items;
}

function readItem<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch (error) {
    throw new KclError('server', `the API server sent an unreadable ${what}: ${error instanceof Error ? error.message : 'bad object'}`);
  }
}
