// The five CSR calls the plugin makes, with a watch that yields parsed objects. RBAC of a user's
// ServiceAccount grants get/create/delete/watch on its own CSR name only, so the watch always
// carries a metadata.name field selector (and there is no list).
import { createInterface } from 'node:readline';
import { KclError } from '../errors.js';
import { isRecord } from '../util/validate.js';
import type { ApiClient } from './http.js';
import { type CsrObject, type CsrSpecInput, csrManifest, parseCsrObject } from './csr-object.js';

const base = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const callTimeoutMs = 30_000;

export type CsrWatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; csr: CsrObject } | { type: 'EXPIRED' };

export interface CsrApi {
  create(input: CsrSpecInput): Promise<CsrObject>;
  get(name: string): Promise<CsrObject>;
  remove(name: string, uid: string): Promise<void>;
  /** Events after resourceVersion until the server ends the watch or timeoutSeconds pass. */
  watch(name: string, resourceVersion: string, timeoutSeconds: number): AsyncIterable<CsrWatchEvent>;
}

/** remainingMs: what is left of the renewal's time budget; no call waits longer (a server that
 * accepts connections and never answers must not hold kubectl beyond --timeout). */
export function csrApi(client: ApiClient, remainingMs: () => number = () => callTimeoutMs): CsrApi {
  const path = (name: string) => `${base}/${encodeURIComponent(name)}`;
  // at least a second: a call made at the deadline still reports the state it finds (e.g. pending)
  const callTimeout = () => Math.max(1_000, Math.min(callTimeoutMs, remainingMs()));
  return {
    async create(input) {
      return parse(await client.json({ method: 'POST', path: base, body: csrManifest(input), timeoutMs: callTimeout() }));
    },
    async get(name) {
      return parse(await client.json({ method: 'GET', path: path(name), timeoutMs: callTimeout() }));
    },
    async remove(name, uid) {
      const body = { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid } };
      await client.json({ method: 'DELETE', path: path(name), body, timeoutMs: callTimeout() });
    },
    watch(name, resourceVersion, timeoutSeconds) {
      const query = new URLSearchParams({
        watch: 'true',
        fieldSelector: `metadata.name=${escapeFieldValue(name)}`,
        resourceVersion,
        allowWatchBookmarks: 'false',
        timeoutSeconds: String(Math.max(1, Math.ceil(timeoutSeconds))),
      });
      return watchEvents(client, `${base}?${query}`, (timeoutSeconds + 10) * 1000);
    },
  };
}

/** Streams the events of a CSR watch request (any path: one name, or all CSRs). */
export async function* watchEvents(client: ApiClient, path: string, timeoutMs: number): AsyncIterable<CsrWatchEvent> {
  const response = await client.stream({ method: 'GET', path, timeoutMs });
  try {
    for await (const line of createInterface({ input: response, crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      const event = parseEvent(line);
      if (event) yield event;
    }
  } catch (error) {
    if (error instanceof KclError) throw error;
    // A dropped watch ends the iteration; the caller re-reads the CSR and watches again.
  } finally {
    response.destroy();
  }
}

/** Field selector values escape backslash, comma and '=' (user=jean.doe would not parse). */
function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function parseEvent(line: string): CsrWatchEvent | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    throw new KclError('server', 'the API server sent an unreadable watch event');
  }
  if (!isRecord(doc) || typeof doc.type !== 'string') return undefined;
  if (doc.type === 'ERROR') {
    const code = isRecord(doc.object) ? doc.object.code : undefined;
    if (code === 410) return { type: 'EXPIRED' };
    const message = isRecord(doc.object) && typeof doc.object.message === 'string' ? doc.object.message : 'unknown';
    throw new KclError('server', `the CSR watch failed: ${message.slice(0, 200)}`);
  }
  if (doc.type !== 'ADDED' && doc.type !== 'MODIFIED' && doc.type !== 'DELETED') return undefined;
  return { type: doc.type, csr: parse(doc.object) };
}

function parse(value: unknown): CsrObject {
  try {
    return parseCsrObject(value);
  } catch (error) {
    throw new KclError('server', `the API server sent an invalid CertificateSigningRequest: ${error instanceof Error ? error.message : ''}`);
  }
}
