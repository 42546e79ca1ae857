// The five CSR calls the plugin makes, with a watch that yields parsed objects, and who the token is
// (to tell our own CSRs from someone else's). RBAC of a user's ServiceAccount grants
// get/watch/delete on its own CSR name only, so the watch always carries a metadata.name field
// selector (and there is no list).
import { KclError } from '../errors.js';
import type { ApiClient } from './http.js';
import { type CsrObject, type CsrSpecInput, csrManifest, parseCsrObject } from './csr-object.js';
import { watchStream } from './watch-stream.js';
import { whoAmI } from './who-am-i.js';

const base = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const callTimeoutMs = 30_000;

type CsrWatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; csr: CsrObject } | { type: 'EXPIRED' };

export interface CsrApi {
  create(input: CsrSpecInput): Promise<CsrObject>;
  get(name: string): Promise<CsrObject>;
  remove(name: string, uid: string): Promise<void>;
  /** Events after resourceVersion until the server ends the watch or timeoutSeconds pass. */
  watch(name: string, resourceVersion: string, timeoutSeconds: number): AsyncIterable<CsrWatchEvent>;
  /** The username the API server gives our token (what spec.username of our CSRs says). */
  username(): Promise<string>;
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
    async *watch(name, resourceVersion, timeoutSeconds) {
      const query = new URLSearchParams({ fieldSelector: `metadata.name=${escapeFieldValue(name)}`, resourceVersion });
      for await (const event of watchStream(client, `${base}?${query.toString()}`, timeoutSeconds)) {
        if (event.type === 'BOOKMARK') continue;
        yield event.type === 'EXPIRED' ? event : { type: event.type, csr: parse(event.object) };
      }
    },
    async username() {
      return (await whoAmI(client, callTimeout())).username;
    },
  };
}

/** Field selector values escape backslash, comma and '=' (user=jean.doe would not parse). */
function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function parse(value: unknown): CsrObject {
  try {
    return parseCsrObject(value);
  } catch (error) {
    throw new KclError(
      'server',
      `the API server sent an invalid CertificateSigningRequest: ${error instanceof Error ? error.message : ''}`,
    );
  }
}
