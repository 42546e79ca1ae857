// Where each kind of object `admin` manages lives in the REST API, how it is named in messages, and
// the one error wrapper the admin use cases share ("could not X: cause", admin-side wording).
import { KclError } from '../errors.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

interface Resource {
  prefix: string;
  plural: string;
  namespaced: boolean;
}

const resources: Record<string, Resource> = {
  'v1/Namespace': { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  'v1/ServiceAccount': { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  'v1/Secret': { prefix: '/api/v1', plural: 'secrets', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    prefix: '/apis/rbac.authorization.k8s.io/v1',
    plural: 'clusterrolebindings',
    namespaced: false,
  },
  'rbac.authorization.k8s.io/v1/Role': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': {
    prefix: '/apis/admissionregistration.k8s.io/v1',
    plural: 'validatingadmissionpolicies',
    namespaced: false,
  },
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': {
    prefix: '/apis/admissionregistration.k8s.io/v1',
    plural: 'validatingadmissionpolicybindings',
    namespaced: false,
  },
};

/** The object's REST path, e.g. /apis/rbac.authorization.k8s.io/v1/clusterroles/user%3Djean.doe. */
export function objectPath(ref: ObjectRef): string {
  const resource = resources[`${ref.apiVersion}/${ref.kind}`];
  if (!resource) throw new KclError('internal', `no REST path known for ${ref.apiVersion} ${ref.kind}`);
  if (resource.namespaced && !ref.namespace) throw new KclError('internal', `${ref.kind} ${ref.name} needs a namespace`);
  const namespace = resource.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? '')}` : '';
  return `${resource.prefix}${namespace}/${resource.plural}/${encodeURIComponent(ref.name)}`;
}

/** "ServiceAccount users/jean.doe", "ClusterRole user=jean.doe". */
export function objectLabel(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export function refOf(manifest: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): ObjectRef {
  return { apiVersion: manifest.apiVersion, kind: manifest.kind, name: manifest.metadata.name, namespace: manifest.metadata.namespace };
}

/**
 * Re-words an API failure for the admin: the request ran with the admin's kubeconfig, so a 401
 * is about those credentials (the shared mapping speaks to a plugin user about their token).
 */
export function adminError(error: unknown, what: string): unknown {
  if (!(error instanceof KclError)) return error;
  if (error.code === 'unauthorized' && error.message.includes('(401')) {
    return new KclError('unauthorized', `could not ${what}: the API server rejected the kubeconfig's credentials (401 Unauthorized)`, {
      cause: error,
    });
  }
  return new KclError(error.code, `could not ${what}: ${error.message}`, { cause: error });
}
