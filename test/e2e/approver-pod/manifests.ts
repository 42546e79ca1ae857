// What the suite deploys. This machine's pods reach the API server (bound to 127.0.0.1, no
// kube-proxy) only from the node's network: hostNetwork, KUBERNETES_SERVICE_HOST/PORT in the
// container env, metrics and probes on 127.0.0.1, one replica (a second would need the same host
// port), maxSurge 0 so a rollout fits. Everything else is examples/deploy as users apply it, plus a
// projected token of the shortest lifetime (600 s) so the kubelet rotates it during the run.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cluster, repoRoot } from '../cluster.js';

const examples = path.join(repoRoot, 'examples/deploy');
export const tokenSeconds = 600;
type Json = Record<string, unknown>;

const apiPort = () => new URL(cluster.server).port;

/** JSON patch ops that make the base's Deployment run on this machine's node. */
function machineOps(metricsPort: number, args: string[]): Json[] {
  const container = '/spec/template/spec/containers/0';
  return [
    { op: 'replace', path: '/spec/replicas', value: 1 },
    { op: 'add', path: '/spec/strategy', value: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } },
    { op: 'add', path: '/spec/template/spec/hostNetwork', value: true },
    { op: 'add', path: '/spec/template/spec/automountServiceAccountToken', value: false },
    {
      op: 'add',
      path: '/spec/template/spec/volumes',
      value: [
        {
          name: 'kube-api-access',
          projected: {
            sources: [
              { serviceAccountToken: { path: 'token', expirationSeconds: tokenSeconds } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
    },
    {
      op: 'add',
      path: `${container}/volumeMounts`,
      value: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
    },
    {
      op: 'replace',
      path: `${container}/args`,
      value: ['approver', ...args, `--metrics-addr=127.0.0.1:${metricsPort}`, '--log-format=json'],
    },
    { op: 'add', path: `${container}/imagePullPolicy`, value: 'Never' },
    { op: 'add', path: `${container}/env/-`, value: { name: 'KUBERNETES_SERVICE_HOST', value: '127.0.0.1' } },
    { op: 'add', path: `${container}/env/-`, value: { name: 'KUBERNETES_SERVICE_PORT', value: apiPort() } },
    { op: 'replace', path: `${container}/ports`, value: [{ name: 'metrics', containerPort: metricsPort }] },
    { op: 'add', path: `${container}/livenessProbe/httpGet/host`, value: '127.0.0.1' },
    { op: 'add', path: `${container}/readinessProbe/httpGet/host`, value: '127.0.0.1' },
  ];
}

const baseArgs = ['--users-namespace=users', '--max-expiration=24h', '--lease-namespace=$(POD_NAMESPACE)'];

/** A kustomize overlay of examples/deploy for this machine, written to `dir`; `kubectl apply -k dir`. */
export async function writeOverlay(dir: string, metricsPort: number): Promise<void> {
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [path.relative(dir, examples)],
    patches: [
      { target: { kind: 'Deployment', name: 'kube-csr-login-approver' }, patch: JSON.stringify(machineOps(metricsPort, baseArgs)) },
    ],
  };
  await writeFile(path.join(dir, 'kustomization.yaml'), JSON.stringify(kustomization, null, 2));
}

/** Applies RFC 6902 add/replace ops (all this suite uses) to a copy of `doc`. */
function patched(doc: Json, ops: Json[]): Json {
  const copy = structuredClone(doc);
  for (const { op, path: pointer, value } of ops as { op: string; path: string; value: unknown }[]) {
    const keys = pointer.split('/').slice(1);
    const last = keys.pop() ?? '';
    let at: any = copy; // a JSON walk
    for (const key of keys) at = at[key];
    if (Array.isArray(at) && last === '-') at.push(value);
    else if (op === 'add' || op === 'replace') at[last] = value;
  }
  return copy;
}

const docs = async (file: string) => parseAllDocuments(await readFile(path.join(examples, file), 'utf8')).map((d) => d.toJS() as Json);

/**
 * The whole example (RBAC and Deployment) moved to namespace `ns`, cluster-wide and foreign-namespace
 * names suffixed with it, for a second approver beside the main one; `edit` may change RBAC rules.
 */
export async function exampleCopy(
  ns: string,
  metricsPort: number,
  args: string[],
  edit: (rules: Json[]) => Json[] = (r) => r,
): Promise<Json> {
  const rename = (name: string) => `${name}-${ns}`;
  const items: Json[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }];
  for (const doc of await docs('rbac.yaml')) {
    const metadata = { ...(doc.metadata as Json) };
    const own = metadata.namespace === 'kube-csr-login';
    if (own) metadata.namespace = ns;
    else metadata.name = rename(String(metadata.name));
    const copy: Json = { ...doc, metadata };
    if (doc.rules) copy.rules = edit(doc.rules as Json[]);
    if (doc.roleRef)
      copy.roleRef = { ...(doc.roleRef as Json), name: own ? (doc.roleRef as Json).name : rename(String((doc.roleRef as Json).name)) };
    if (doc.subjects) copy.subjects = (doc.subjects as Json[]).map((s) => ({ ...s, namespace: ns }));
    items.push(copy);
  }
  const [deployment] = await docs('deployment.yaml');
  const moved = patched(deployment as Json, [{ op: 'replace', path: '/metadata/namespace', value: ns }, ...machineOps(metricsPort, args)]);
  items.push(moved);
  return { apiVersion: 'v1', kind: 'List', items };
}
