// `admin remove-user`: deletes what add-user created for one user (token Secret, ServiceAccount,
// which revokes its tokens, Role, RoleBinding, ClusterRole, ClusterRoleBinding); an object already
// gone is fine. The namespace and its CSR-name admission policy stay (shared by the other users). A ServiceAccount that kube-csr-login
// does not manage is left alone. Issued certificates stay valid until they expire.
import { KclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { type DeleteOutcome, deleteObject, ownership } from './managed-objects.js';
import { userManifests } from './manifests.js';
import { type ObjectRef, objectLabel, refOf } from './object-refs.js';

export interface RemovedObject {
  ref: ObjectRef;
  outcome: DeleteOutcome;
}

const order = ['Secret', 'ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];

function userObjectRefs(name: string, usersNamespace: string): ObjectRef[] {
  const refs = userManifests({ name, groups: [], usersNamespace }).map(refOf);
  return order.map((kind) => refs.find((ref) => ref.kind === kind)).filter((ref): ref is ObjectRef => ref !== undefined);
}

export async function removeUser(client: ApiClient, user: { name: string; usersNamespace: string }): Promise<RemovedObject[]> {
  const refs = userObjectRefs(user.name, user.usersNamespace);
  const account = refs.find((ref) => ref.kind === 'ServiceAccount');
  if (account && (await ownership(client, account)).state === 'unmanaged') {
    throw new KclError(
      'conflict',
      `${objectLabel(account)} is not managed by kube-csr-login (no label app.kubernetes.io/managed-by=kube-csr-login): not removing it (kubectl delete it, or adopt it with admin add-user first)`,
    );
  }
  const removed: RemovedObject[] = [];
  for (const ref of refs) removed.push({ ref, outcome: await deleteObject(client, ref) });
  return removed;
}
