import { describe, expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { manifestsYaml } from '../../../src/admin/dry-run.js';
import { userManifests } from '../../../src/admin/manifests.js';
import { validateGroups, validateUserName } from '../../../src/admin/names.js';

describe('admin add-user manifests', () => {
  test('dry-run YAML holds the nine objects', () => {
    const text = manifestsYaml(userManifests({ name: 'jean.doe', groups: ['devs', 'ops'], usersNamespace: 'users' }));
    const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
    expect(docs.map((d) => (d as { kind: string }).kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'Role',
      'RoleBinding',
      'Secret',
    ]);
    expect(docs[1]).toMatchObject({ metadata: { annotations: { 'kube-csr-login.io/groups': 'devs,ops' } } });
    expect(docs[2]).toMatchObject({
      metadata: { name: 'user=jean.doe' },
      rules: [{ verbs: ['create'] }, { resourceNames: ['user=jean.doe'] }],
    });
    expect(docs[4]).toMatchObject({
      metadata: { name: 'kube-csr-login-csr-names-users' },
      spec: { matchConstraints: { resourceRules: [{ operations: ['CREATE'], resources: ['certificatesigningrequests'] }] } },
    });
    expect(docs[5]).toMatchObject({ spec: { policyName: 'kube-csr-login-csr-names-users', validationActions: ['Deny'] } });
    expect(docs[6]).toMatchObject({
      metadata: { namespace: 'users' },
      rules: [{ resources: ['serviceaccounts'], resourceNames: ['jean.doe'] }],
    });
    expect(docs[8]).toMatchObject({ type: 'kubernetes.io/service-account-token', metadata: { name: 'jean.doe-token' } });
  });

  test('name and group validation', () => {
    expect(validateUserName('jean.doe')).toBe('jean.doe');
    for (const bad of ['Jean', 'jean_doe', '-x', 'x-', '', 'a'.repeat(254)])
      expect(() => validateUserName(bad)).toThrow('invalid user name');
    expect(() => validateGroups(['system:masters'])).toThrow('reserved');
    expect(validateGroups(['devs', 'devs'])).toEqual(['devs']);
  });
});
