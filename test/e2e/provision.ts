// Provisions a user on the real cluster the way the seed walkthrough does (namespace users,
// ServiceAccount, ClusterRole + ClusterRoleBinding user=NAME, token Secret), with the admin kubectl.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { admin, sleep } from './cluster.js';

export interface ProvisionedUser {
  name: string;
  groups: string[];
  tokenFile: string;
  token: string;
}

function manifests(name: string, groups: string[], namespace: string): string {
  const docs = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace, annotations: { 'kube-csr-login.io/groups': groups.join(',') } },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `user=${name}` },
      rules: [
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create'] },
        {
          apiGroups: ['certificates.k8s.io'],
          resources: ['certificatesigningrequests'],
          resourceNames: [`user=${name}`],
          verbs: ['get', 'watch', 'delete'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `user=${name}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `user=${name}` },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: `${name}-token`, namespace, annotations: { 'kubernetes.io/service-account.name': name } },
    },
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs });
}

export async function provisionUser(dir: string, name: string, groups: string[], namespace = 'users'): Promise<ProvisionedUser> {
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, manifests(name, groups, namespace));
  await admin('apply', '-f', file);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const encoded = await admin('get', 'secret', '-n', namespace, `${name}-token`, '-o', 'jsonpath={.data.token}');
    if (encoded) {
      const token = Buffer.from(encoded, 'base64').toString('utf8');
      const tokenFile = path.join(dir, `${name}.token`);
      await writeFile(tokenFile, token, { mode: 0o600 });
      return { name, groups, tokenFile, token };
    }
    await sleep(100);
  }
  throw new Error(`the token controller did not fill ${name}-token`);
}

/**
 * Approves the user's CSR whenever one is pending, as the admin in the seed walkthrough does by
 * hand. Returns a stop function.
 */
export function approveContinuously(name: string, decision: 'approve' | 'deny' = 'approve'): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      const csr = await admin('get', 'csr', `user=${name}`, '--ignore-not-found', '-o', 'jsonpath={.status.conditions[*].type}').catch(
        () => '',
      );
      const exists = await admin('get', 'csr', `user=${name}`, '--ignore-not-found', '-o', 'name').catch(() => '');
      if (exists.trim() && csr.trim() === '') await admin('certificate', decision, `user=${name}`).catch(() => '');
      await sleep(100);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}
