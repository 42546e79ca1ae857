// RBAC cannot limit `create` by name (the name is in the body), so without this any user could
// create a CSR named user=<someone else> and hold that name: the other user's renewal then meets a
// CSR it did not make. One ValidatingAdmissionPolicy per users namespace (admissionregistration.k8s.io/v1,
// GA in Kubernetes 1.30), shared by all its users and applied by every add-user: a ServiceAccount
// of that namespace may create only the CSR named user=<its own name>. Everyone else is not
// matched (the approver still judges what a CSR asks for). remove-user leaves it: it is shared.
import type { Manifest } from './apply-manifests.js';

export function csrNamePolicyName(usersNamespace: string): string {
  return `kube-csr-login-csr-names-${usersNamespace}`;
}

export function csrNamePolicyManifests(usersNamespace: string): Manifest[] {
  const name = csrNamePolicyName(usersNamespace);
  const prefix = `system:serviceaccount:${usersNamespace}:`;
  const labels = { 'app.kubernetes.io/managed-by': 'kube-csr-login' };
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: ['certificates.k8s.io'], apiVersions: ['*'], operations: ['CREATE'], resources: ['certificatesigningrequests'] },
          ],
        },
        matchConditions: [{ name: 'users-namespace-service-account', expression: `request.userInfo.username.startsWith('${prefix}')` }],
        variables: [{ name: 'account', expression: `request.userInfo.username.substring(${prefix.length})` }],
        validations: [
          {
            expression: "object.metadata.name == 'user=' + variables.account",
            messageExpression: `'ServiceAccount ${usersNamespace}/' + variables.account + ' may only create the CertificateSigningRequest named user=' + variables.account + ' (kube-csr-login)'`,
            reason: 'Forbidden',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels },
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}
