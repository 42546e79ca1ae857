// `admin list-users`: the ServiceAccounts in the users namespace that kube-csr-login manages, each
// with its groups, its CSR (user=NAME, requested by that ServiceAccount) and the NotAfter of the
// certificate that CSR holds, its credential id, the last renewal and the token's last use (the
// apiserver's kubernetes.io/legacy-token-last-used label, a date updated at most daily). Issued CSRs
// are deleted after an hour: the approver's issuance records (by ServiceAccount UID) fill the gap.
// Read-only: three list calls.
import { KclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { type CsrObject, condition, parseCsrObject } from '../kube/csr-object.js';
import { parseServiceAccount } from '../kube/service-account.js';
import { describeCertificate, parseCertificateChain } from '../pki/certificate.js';
import { credentialIdOf } from '../trace/credential-id.js';
import type { IssuanceRecord } from '../trace/issuance-records.js';
import { isRecord } from '../util/validate.js';
import { adminError } from './object-refs.js';

type CsrState = 'Pending' | 'Approved' | 'Issued' | 'Denied' | 'Failed';

export interface UserRow {
  name: string;
  groups: string[];
  csr?: { name: string; created: Date; state: CsrState };
  /** NotAfter of the current certificate (the CSR's, or the newest issuance record's). */
  certificateExpires?: Date;
  credentialId?: string;
  lastRenewal?: Date;
  /** YYYY-MM-DD, from the token Secret's kubernetes.io/legacy-token-last-used label. */
  tokenLastUsed?: string;
}

const lastUsedLabel = 'kubernetes.io/legacy-token-last-used';

const managedBySelector = 'app.kubernetes.io/managed-by=kube-csr-login';
const timeoutMs = 30_000;

export async function listUsers(client: ApiClient, usersNamespace: string, records: readonly IssuanceRecord[] = []): Promise<UserRow[]> {
  const accounts = await list(
    client,
    `/api/v1/namespaces/${encodeURIComponent(usersNamespace)}/serviceaccounts?labelSelector=${encodeURIComponent(managedBySelector)}`,
    `list the ServiceAccounts in namespace ${usersNamespace}`,
  );
  if (accounts.length === 0) return [];
  const csrs = await list(client, '/apis/certificates.k8s.io/v1/certificatesigningrequests', 'list the CertificateSigningRequests');
  const lastUsed = await tokenLastUsed(client, usersNamespace);
  const byName = new Map(csrs.filter(isRecord).map((item) => [isRecord(item.metadata) ? item.metadata.name : undefined, item] as const));
  return accounts
    .map((item) => {
      const account = readItem(() => parseServiceAccount(item), 'ServiceAccount');
      const row: UserRow = { name: account.name, groups: account.groups };
      const used = lastUsed.get(account.name);
      if (used !== undefined) row.tokenLastUsed = used;
      const raw = byName.get(`user=${account.name}`);
      const csr = raw === undefined ? undefined : readItem(() => parseCsrObject(raw), `CSR user=${account.name}`);
      // The name is fixed, but a user of the same name in another users namespace shares it.
      if (csr && (csr.username === undefined || csr.username === `system:serviceaccount:${usersNamespace}:${account.name}`)) {
        row.csr = { name: csr.name, created: csr.creationTimestamp, state: csrState(csr) };
        const issued = issuedCertificate(csr);
        if (issued) {
          Object.assign(row, {
            certificateExpires: issued.notAfter,
            credentialId: issued.credentialId,
            lastRenewal: csr.creationTimestamp,
          });
        }
      }
      return withRecord(row, newestRecord(records, account.uid));
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function csrState(csr: CsrObject): CsrState {
  if (condition(csr, 'Denied')) return 'Denied';
  if (condition(csr, 'Failed')) return 'Failed';
  if (csr.certificatePem) return 'Issued';
  return condition(csr, 'Approved') ? 'Approved' : 'Pending';
}

function issuedCertificate(csr: CsrObject): { notAfter: Date; credentialId: string } | undefined {
  if (!csr.certificatePem) return undefined;
  try {
    const [leaf] = parseCertificateChain(csr.certificatePem);
    return leaf ? { notAfter: describeCertificate(leaf).notAfter, credentialId: credentialIdOf(leaf) } : undefined;
  } catch {
    return undefined; // shown as unknown; the signer never issues unreadable certificates
  }
}

/** The newest record of this ServiceAccount (by UID: a user removed and re-added is another account). */
function newestRecord(records: readonly IssuanceRecord[], uid: string): IssuanceRecord | undefined {
  let newest: IssuanceRecord | undefined;
  for (const record of records) if (record.serviceAccountUid === uid && (!newest || record.notBefore > newest.notBefore)) newest = record;
  return newest;
}

function withRecord(row: UserRow, record: IssuanceRecord | undefined): UserRow {
  const renewed = record?.issuedAt ?? record?.notBefore;
  if (!record || !renewed || (row.lastRenewal !== undefined && row.lastRenewal >= renewed)) return row;
  return { ...row, credentialId: record.credentialId, certificateExpires: record.notAfter, lastRenewal: renewed };
}

/** ServiceAccount name -> the date its managed token Secret was last used. */
async function tokenLastUsed(client: ApiClient, usersNamespace: string): Promise<Map<string, string>> {
  const secrets = await list(
    client,
    `/api/v1/namespaces/${encodeURIComponent(usersNamespace)}/secrets?labelSelector=${encodeURIComponent(managedBySelector)}`,
    `list the token Secrets in namespace ${usersNamespace}`,
    metadataOnly, // labels and annotations, never the tokens
  );
  const found = new Map<string, string>();
  for (const item of secrets) {
    const metadata = isRecord(item) && isRecord(item.metadata) ? item.metadata : {};
    const account = isRecord(metadata.annotations) ? metadata.annotations['kubernetes.io/service-account.name'] : undefined;
    const used = isRecord(metadata.labels) ? metadata.labels[lastUsedLabel] : undefined;
    if (typeof account === 'string' && typeof used === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(used)) found.set(account, used);
  }
  return found;
}

const metadataOnly = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

async function list(client: ApiClient, path: string, what: string, accept?: string): Promise<unknown[]> {
  const answer = await client
    .json({ method: 'GET', path, timeoutMs, ...(accept === undefined ? {} : { accept }) })
    .catch((error: unknown) => {
      throw adminError(error, what);
    });
  // an empty PartialObjectMetadataList comes with "items": null
  if (isRecord(answer) && answer.items === null && accept !== undefined) return [];
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
