// Whether an object is kube-csr-login's (label app.kubernetes.io/managed-by=kube-csr-login), and
// deleting one. Shared by remove-user and add-user --token-duration: they delete only what they manage.
import { KclError, isKclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { isRecord } from '../util/validate.js';
import { type ObjectRef, adminError, objectLabel, objectPath } from './object-refs.js';

export type Ownership = { state: 'absent' } | { state: 'unmanaged' } | { state: 'managed'; uid: string };
export type DeleteOutcome = 'removed' | 'absent';

const timeoutMs = 30_000;

export async function ownership(client: ApiClient, ref: ObjectRef): Promise<Ownership> {
  const label = objectLabel(ref);
  const object = await client.json({ method: 'GET', path: objectPath(ref), timeoutMs }).catch((error: unknown) => {
    if (isKclError(error, 'notFound')) return undefined;
    throw adminError(error, `read ${label}`);
  });
  if (object === undefined) return { state: 'absent' };
  const metadata = isRecord(object) && isRecord(object.metadata) ? object.metadata : {};
  const labels = isRecord(metadata.labels) ? metadata.labels : {};
  if (labels['app.kubernetes.io/managed-by'] !== 'kube-csr-login') return { state: 'unmanaged' };
  if (typeof metadata.uid !== 'string' || metadata.uid === '')
    throw new KclError('server', `the API server sent an unreadable ${label}: metadata.uid must be a non-empty string`);
  return { state: 'managed', uid: metadata.uid };
}

/**
 * An object already gone is 'absent'. With a uid, the API server deletes only that very object (409
 * if it was replaced since it was read).
 */
export async function deleteObject(client: ApiClient, ref: ObjectRef, uid?: string): Promise<DeleteOutcome> {
  const body = uid === undefined ? {} : { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } } };
  return client.json({ method: 'DELETE', path: objectPath(ref), ...body, timeoutMs }).then(
    () => 'removed' as const,
    (error: unknown) => {
      if (isKclError(error, 'notFound')) return 'absent' as const;
      throw adminError(error, `delete ${objectLabel(ref)}`);
    },
  );
}
