// `admin remove-user`: deletes what add-user created for one user (token Secret, ServiceAccount,
// which revokes its tokens, Role, RoleBinding, ClusterRole, ClusterRoleBinding); an object already
// gone is fine. The namespace stays (other users live there). A ServiceAccount that kube-csr-login
// does not manage is left alone. Issued certificates stay valid until they expire.
import { KclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { isRecord } from '../util/validate.js';
import { userManifests } from './manifests.js';
import { type ObjectRef, adminError, isNotFound, objectLabel, objectPath, refOf } from './object-refs.js';

export interface RemovedObject {
  ref: ObjectRef;
  outcome: 'removed' | 'absent';
}

const order = ['Secret', 'ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];
const timeoutMs = 30_000;

export function userObjectRefs(name: string, usersNamespace: string): ObjectRef[] {
  const refs = userManifests({ name, groups: [], usersNamespace }).map(refOf);
  return order.map((kind) => refs.find((ref) => ref.kind === kind)).filter((ref): ref is ObjectRef => ref !== undefined);
}

export async function removeUser(client: ApiClient, user: { name: string; usersNamespace: string }): Promise<RemovedObject[]> {
  const refs = userObjectRefs(user.name, user.usersNamespace);
  const account = refs.find((ref) => ref.kind === 'ServiceAccount');
  if (account) await checkManaged(client, account);
  const removed: RemovedObject[] = [];
  for (const ref of refs) {
    const label = objectLabel(ref);
    const outcome = await client.json({ method: 'DELETE', path: objectPath(ref), timeoutMs }).then(
      () => 'removed' as const,
      (error: unknown) => {
        if (isNotFound(error)) return 'absent' as const;
        throw adminError(error, `delete ${label}`);
      },
    );
    removed.push({ ref, outcome });
  }
  return removed;
}

async function checkManaged(client: ApiClient, ref: ObjectRef): Promise<void> {
  const label = objectLabel(ref);
  const object = await client.json({ method: 'GET', path: objectPath(ref), timeoutMs }).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw adminError(error, `read ${label}`);
  });
  if (object === undefined) return;
  const metadata = isRecord(object) && isRecord(object.metadata) ? object.metadata : {};
  const labels = isRecord(metadata.labels) ? metadata.labels : {};
  if (labels['app.kubernetes.io/managed-by'] !== 'kube-csr-login') {
    throw new KclError('conflict', `${label} is not managed by kube-csr-login (no label app.kubernetes.io/managed-by=kube-csr-login): not removing it (kubectl delete it, or adopt it with admin add-user first)`);
  }
}
