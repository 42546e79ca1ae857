// The calls the approver makes, over any kubeconfig's client: list/watch/get CSRs, the approval
// subresource, the requester's ServiceAccount, and best-effort Events.
import { isKclError } from '../errors.js';
import { type CsrWatchEvent, watchEvents } from '../kube/csr-api.js';
import { type CsrObject, parseCsrObject } from '../kube/csr-object.js';
import type { ApiClient } from '../kube/http.js';
import { type Json, isRecord } from '../util/validate.js';

const csrs = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const timeoutMs = 30_000;
export const groupsAnnotation = 'kube-csr-login.io/groups';

export interface ApproverApi {
  list: () => Promise<{ items: CsrObject[]; resourceVersion: string }>;
  watch: (resourceVersion: string, timeoutSeconds: number) => AsyncIterable<CsrWatchEvent>;
  /** The raw object, for the approval update (which must carry everything back). */
  getRaw: (name: string) => Promise<Json | undefined>;
  updateApproval: (name: string, raw: Json) => Promise<void>;
  serviceAccountGroups: (namespace: string, name: string) => Promise<{ groups: string[] } | undefined>;
  event: (csr: CsrObject, type: 'Normal' | 'Warning', reason: string, message: string, now: Date) => Promise<void>;
}

export function approverApi(client: ApiClient): ApproverApi {
  return {
    async list() {
      const doc = await client.json({ method: 'GET', path: csrs, timeoutMs });
      const items = isRecord(doc) && Array.isArray(doc.items) ? doc.items : [];
      const metadata = isRecord(doc) && isRecord(doc.metadata) ? doc.metadata : {};
      const parsed = items.flatMap((item: unknown) => {
        try {
          return [parseCsrObject(item)];
        } catch {
          return []; // an object we cannot read is not ours to judge
        }
      });
      return { items: parsed, resourceVersion: typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : '' };
    },
    watch(resourceVersion, timeoutSeconds) {
      const query = new URLSearchParams({ watch: 'true', resourceVersion, timeoutSeconds: String(timeoutSeconds) });
      return watchEvents(client, `${csrs}?${query}`, (timeoutSeconds + 10) * 1000);
    },
    async getRaw(name) {
      try {
        const doc = await client.json({ method: 'GET', path: `${csrs}/${encodeURIComponent(name)}`, timeoutMs });
        return isRecord(doc) ? doc : undefined;
      } catch (error) {
        if (isKclError(error, 'notFound')) return undefined;
        throw error;
      }
    },
    async updateApproval(name, raw) {
      await client.json({ method: 'PUT', path: `${csrs}/${encodeURIComponent(name)}/approval`, body: raw, timeoutMs });
    },
    async serviceAccountGroups(namespace, name) {
      try {
        const doc = await client.json({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`, timeoutMs });
        const annotations = isRecord(doc) && isRecord(doc.metadata) && isRecord(doc.metadata.annotations) ? doc.metadata.annotations : {};
        const value = annotations[groupsAnnotation];
        const groups = typeof value === 'string' ? value.split(',').map((g) => g.trim()).filter(Boolean) : [];
        return { groups };
      } catch (error) {
        if (isKclError(error, 'notFound')) return undefined;
        throw error;
      }
    },
    async event(csr, type, reason, message, now) {
      const time = now.toISOString();
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: 'kube-csr-login-approver-', namespace: 'default' },
        involvedObject: { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', name: csr.name, uid: csr.uid },
        type,
        reason,
        message,
        source: { component: 'kube-csr-login-approver' },
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
      };
      await client.json({ method: 'POST', path: '/api/v1/namespaces/default/events', body, timeoutMs });
    },
  };
}
