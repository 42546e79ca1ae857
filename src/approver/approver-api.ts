// The calls the approver makes, over any kubeconfig's client: the list/watch source of CSRs, a fresh
// read and the /approval update of one CSR, a fresh read of one ServiceAccount, best-effort Events.
import { isKclError } from '../errors.js';
import { type CsrObject, apiServerClientSigner } from '../kube/csr-object.js';
import type { ApiClient } from '../kube/http.js';
import { type Json, isRecord } from '../util/validate.js';
import type { ListWatchSource } from './list-watch.js';
import { type CsrRow, readCsrTable, tableAccept } from './csr-table.js';
import { watchStream } from '../kube/watch-stream.js';

const csrs = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
/** Only the signer we judge, filtered by the API server (CSRs support this field selector). */
const csrSelector = `spec.signerName=${apiServerClientSigner}`;
const timeoutMs = 30_000;
/** Table rows are ~100 bytes: 500 a page (client-go's reflector's page size) is ~60 KB. */
const listPageSize = 500;
/** Events about cluster-scoped objects must live in "default" (API server validation). */
const eventsNamespace = 'default';

export interface ApproverApi {
  /** Lists as table rows (name, requester, condition), watches whole objects. */
  csrs: ListWatchSource<CsrRow>;
  /** The raw object (the approval update must carry it back whole); undefined once deleted. */
  getRaw: (name: string) => Promise<Json | undefined>;
  updateApproval: (name: string, raw: Json) => Promise<void>;
  /** A fresh read of one ServiceAccount (raw), undefined when it does not exist. */
  getServiceAccount: (namespace: string, name: string) => Promise<Json | undefined>;
  event: (csr: CsrObject, type: 'Normal' | 'Warning', reason: string, message: string, now: Date) => Promise<void>;
}

export function approverApi(client: ApiClient, reportingInstance: string): ApproverApi {
  const csrSource: ListWatchSource<CsrRow> = {
    async list(page) {
      let token = '';
      for (;;) {
        const query = new URLSearchParams({ fieldSelector: csrSelector, limit: String(listPageSize), includeObject: 'None' });
        if (token) query.set('continue', token);
        const doc = await client.json({ method: 'GET', path: `${csrs}?${query}`, accept: tableAccept, timeoutMs });
        const table = readCsrTable(doc);
        page(table.rows, token === '');
        if (table.continueToken === '') return table.resourceVersion;
        token = table.continueToken;
      }
    },
    watch: (resourceVersion, timeoutSeconds, signal) =>
      watchStream(client, `${csrs}?${new URLSearchParams({ fieldSelector: csrSelector, resourceVersion })}`, timeoutSeconds, signal),
  };
  const getIfExists = async (path: string): Promise<Json | undefined> => {
    try {
      const doc = await client.json({ method: 'GET', path, timeoutMs });
      return isRecord(doc) ? doc : undefined;
    } catch (error) {
      if (isKclError(error, 'notFound')) return undefined;
      throw error;
    }
  };
  return {
    csrs: csrSource,
    getRaw: (name) => getIfExists(`${csrs}/${encodeURIComponent(name)}`),
    async updateApproval(name, raw) {
      await client.json({ method: 'PUT', path: `${csrs}/${encodeURIComponent(name)}/approval`, body: raw, timeoutMs });
    },
    getServiceAccount: (namespace, name) =>
      getIfExists(`/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`),
    async event(csr, type, reason, message, now) {
      const time = now.toISOString();
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: 'kube-csr-login-approver-', namespace: eventsNamespace },
        involvedObject: {
          apiVersion: 'certificates.k8s.io/v1',
          kind: 'CertificateSigningRequest',
          name: csr.name,
          uid: csr.uid,
          resourceVersion: csr.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1000),
        action: type === 'Normal' ? 'Approve' : 'Deny',
        source: { component: 'kube-csr-login-approver' },
        reportingComponent: 'kube-csr-login.io/approver',
        reportingInstance: reportingInstance.slice(0, 128),
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
      };
      await client.json({ method: 'POST', path: `/api/v1/namespaces/${eventsNamespace}/events`, body, timeoutMs });
    },
  };
}
