// Server-side apply of the user's objects (PATCH ?fieldManager=kube-csr-login&force=true,
// application/apply-patch+yaml): idempotent, and a rerun with other groups updates the annotation.
// A GET before each apply tells created, updated and unchanged apart (compared without
// resourceVersion and managedFields: the second apply of a Namespace only records the fields the
// server defaulted at creation as "before-first-apply", which changes nothing the admin set).
import type { ApiClient } from '../kube/http.js';
import { isRecord, record, string } from '../util/validate.js';
import { KclError, isKclError } from '../errors.js';
import { type ObjectRef, adminError, objectLabel, objectPath, refOf } from './object-refs.js';

const fieldManager = 'kube-csr-login';

/** One object as server-side apply takes it: the user's objects (manifests.ts), the CSR name policy. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export interface AppliedObject {
  ref: ObjectRef;
  outcome: ApplyOutcome;
}

const requestTimeoutMs = 30_000;

export async function applyManifests(client: ApiClient, manifests: Manifest[]): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = [];
  for (const manifest of manifests) applied.push(await applyOne(client, manifest));
  return applied;
}

async function applyOne(client: ApiClient, manifest: Manifest): Promise<AppliedObject> {
  const ref = refOf(manifest);
  const path = objectPath(ref);
  const label = objectLabel(ref);
  try {
    const before = await client.json({ method: 'GET', path, timeoutMs: requestTimeoutMs }).then(
      (object) => comparable(object, label),
      (error: unknown) => {
        if (isKclError(error, 'notFound')) return undefined;
        throw error;
      },
    );
    const query = `?fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
    const after = comparable(
      await client.json({
        method: 'PATCH',
        path: path + query,
        body: manifest,
        contentType: 'application/apply-patch+yaml',
        timeoutMs: requestTimeoutMs,
      }),
      label,
    );
    return { ref, outcome: before === undefined ? 'created' : before === after ? 'unchanged' : 'updated' };
  } catch (error) {
    throw adminError(error, `apply ${label}`);
  }
}

/** The object as JSON without resourceVersion and managedFields; throws on a malformed answer. */
function comparable(object: unknown, label: string): string {
  try {
    if (!isRecord(object)) throw new Error('not an object');
    const metadata = record(object, 'metadata', label);
    string(metadata, 'resourceVersion', 'metadata');
    const { resourceVersion: _version, managedFields: _fields, ...rest } = metadata;
    return JSON.stringify({ ...object, metadata: rest });
  } catch (error) {
    throw new KclError('server', `the API server sent an unreadable ${label}: ${error instanceof Error ? error.message : 'bad object'}`);
  }
}
