// The objects `admin add-user` applies for one user (also printed by --dry-run -o yaml).
import { groupsAnnotation } from '../kube/service-account.js';
import { csrNamePolicyManifests } from './csr-name-policy.js';
import type { Manifest } from './apply-manifests.js';

export interface UserSpec {
  name: string;
  groups: string[];
  usersNamespace: string;
}

export function userManifests(spec: UserSpec): Manifest[] {
  const objectName = `user=${spec.name}`;
  const ns = spec.usersNamespace;
  const labels = { 'app.kubernetes.io/managed-by': 'kube-csr-login', 'kube-csr-login.io/user': spec.name };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: spec.name, namespace: ns, labels, annotations: { [groupsAnnotation]: spec.groups.join(',') } },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: objectName, labels },
      rules: [
        // create cannot be restricted by resourceNames; the approver checks the requester instead
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create'] },
        {
          apiGroups: ['certificates.k8s.io'],
          resources: ['certificatesigningrequests'],
          verbs: ['get', 'watch', 'delete'],
          resourceNames: [objectName],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: objectName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: objectName },
      subjects: [{ kind: 'ServiceAccount', name: spec.name, namespace: ns }],
    },
    // ... but admission can: only the CSR named user=<name> (shared by all users of the namespace)
    ...csrNamePolicyManifests(ns),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: objectName, namespace: ns, labels },
      rules: [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'], resourceNames: [spec.name] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: objectName, namespace: ns, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: objectName },
      subjects: [{ kind: 'ServiceAccount', name: spec.name, namespace: ns }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: `${spec.name}-token`, namespace: ns, labels, annotations: { 'kubernetes.io/service-account.name': spec.name } },
    },
  ];
}
