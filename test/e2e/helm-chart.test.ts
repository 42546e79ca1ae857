// The Helm chart (examples/helm/kube-csr-login-approver) checked by a real helm, built from the Go
// module proxy (test/cluster/node/build-helm.sh): `helm lint --strict` passes, and `helm template`
// renders the kustomize base's RBAC object for object (so the chart grants exactly the base's least
// privilege), the values land where they say, and the ServiceMonitor exists only when asked for.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, jest, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { repoRoot, run } from './cluster.js';

jest.setTimeout(30 * 60_000);
const chart = path.join(repoRoot, 'examples/helm/kube-csr-login-approver');
let helm: string;

beforeAll(() => {
  // a cold build takes minutes (once per machine: cached in ~/.cache/kube-csr-login/tools)
  const out = execFileSync('bash', [path.join(repoRoot, 'test/cluster/node/build-helm.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  helm = out.trim().split('\n').at(-1) ?? '';
});

type Doc = { kind: string; metadata: { name: string; namespace?: string; labels?: unknown }; [key: string]: unknown };

const objects = (text: string): Doc[] =>
  parseAllDocuments(text)
    .map((doc) => doc.toJS() as Doc | null)
    .filter((doc): doc is Doc => doc !== null);

async function template(...set: string[]): Promise<Doc[]> {
  const args = ['template', 'kube-csr-login-approver', chart, '--namespace', 'kube-csr-login', ...set.flatMap((s) => ['--set', s])];
  const result = await run(helm, args);
  expect([result.code, result.stderr]).toEqual([0, '']);
  return objects(result.stdout);
}

const rbacKinds = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
/** RBAC objects keyed by kind/namespace/name, without labels (the chart adds its own). */
function rbac(docs: Doc[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const doc of docs.filter((d) => rbacKinds.includes(d.kind))) {
    const { labels: _labels, ...metadata } = doc.metadata;
    out[`${doc.kind}/${metadata.namespace ?? ''}/${metadata.name}`] = { ...doc, metadata };
  }
  return out;
}

test('helm lint --strict passes with the default values and with the ServiceMonitor on', async () => {
  for (const set of [[], ['--set', 'metrics.serviceMonitor.enabled=true']]) {
    const result = await run(helm, ['lint', '--strict', chart, ...set]);
    expect([result.code, result.stdout.match(/(\d+) chart\(s\) linted, (\d+) chart\(s\) failed/)?.slice(1)]).toEqual([0, ['1', '0']]);
  }
});

test('the chart renders exactly the RBAC of examples/deploy/rbac.yaml', async () => {
  const base = objects(await readFile(path.join(repoRoot, 'examples/deploy/rbac.yaml'), 'utf8'));
  expect(rbac(await template())).toEqual(rbac(base));
});

test('values: replicas, users namespace, max expiration, image, resources, metrics; ServiceMonitor off by default', async () => {
  const defaults = await template();
  expect(defaults.map((d) => d.kind).filter((k) => ['Service', 'ServiceMonitor'].includes(k))).toEqual([]);
  const docs = await template(
    'replicas=3',
    'usersNamespace.name=people',
    'maxExpiration=8h',
    'image.repository=registry.example/kcl',
    'image.digest=sha256:0262d069d5adc9f5bd5c50c4ea95ad760b0341ab2403de6468c4de84e5826452',
    'resources.limits.memory=256Mi',
    'metrics.port=9090',
    'metrics.serviceMonitor.enabled=true',
    'logFormat=json',
  );
  const deployment = docs.find((d) => d.kind === 'Deployment') as unknown as {
    spec: { replicas: number; template: { spec: { containers: { image: string; args: string[]; resources: unknown; ports: unknown }[] } } };
  };
  const container = deployment.spec.template.spec.containers[0];
  expect(deployment.spec.replicas).toBe(3);
  expect(container?.image).toBe('registry.example/kcl@sha256:0262d069d5adc9f5bd5c50c4ea95ad760b0341ab2403de6468c4de84e5826452');
  expect(container?.args).toEqual(
    expect.arrayContaining(['--users-namespace=people', '--max-expiration=8h', '--metrics-addr=0.0.0.0:9090', '--log-format=json']),
  );
  expect(container?.resources).toEqual({ requests: { cpu: '20m', memory: '128Mi' }, limits: { memory: '256Mi' } });
  expect(container?.ports).toEqual([{ name: 'metrics', containerPort: 9090 }]);
  expect(docs.filter((d) => d.kind === 'Role').map((d) => d.metadata.namespace)).toContain('people');
  expect(docs.find((d) => d.kind === 'Namespace')?.metadata.name).toBe('people');
  const monitor = docs.find((d) => d.kind === 'ServiceMonitor') as unknown as { spec: { endpoints: { port: string }[] } };
  expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  expect(docs.find((d) => d.kind === 'Service')?.metadata.name).toBe('kube-csr-login-approver-metrics');
});
