// The cluster's side of scale: bytes per user in etcd, read from etcd itself (its v3 JSON gateway)
// for a user made by `admin add-user` who logged in once through the plugin and was approved by our
// approver: the CSR with its certificate, the approver's Event, the token Secret, the ServiceAccount
// and the RBAC objects. From those, the user count at which etcd's default 2 GiB quota is reached.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cluster, launcher, run } from '../e2e/cluster.js';
import { log, results } from './results.js';

const quotaBytes = 2 * 1024 ** 3;

interface Kv {
  key: string;
  value: string;
}

async function range(port: string, key: string, prefix: boolean): Promise<Kv[]> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const end = prefix ? b64(key.slice(0, -1) + String.fromCharCode(key.charCodeAt(key.length - 1) + 1)) : undefined;
  const res = await fetch(`http://127.0.0.1:${port}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: b64(key), ...(end ? { range_end: end } : {}) }),
  });
  if (!res.ok) throw new Error(`etcd range ${key}: HTTP ${res.status}`);
  const body = (await res.json()) as { kvs?: { key: string; value: string }[] };
  return (body.kvs ?? []).map((kv) => ({
    key: Buffer.from(kv.key, 'base64').toString('utf8'),
    value: Buffer.from(kv.value, 'base64').toString('latin1'),
  }));
}

export async function etcdFootprint(): Promise<void> {
  const port = process.env.KCL_ETCD_PORT;
  if (!port) throw new Error('KCL_ETCD_PORT is not set (cluster.env)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kcl-bench-etcd-'));
  const name = 'etcd.user';
  const bundle = path.join(dir, 'bundle');
  const env = { KUBECONFIG: cluster.adminKubeconfig };
  const add = await run(launcher, ['admin', 'add-user', name, '--groups', 'devs', '--bundle', bundle], { env });
  if (add.code !== 0) throw new Error(`admin add-user: ${add.stderr.trim()}`);
  const home = {
    KUBE_CSR_LOGIN_CONFIG_DIR: path.join(dir, 'config'),
    KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, 'cache'),
    KUBECONFIG: path.join(dir, 'kubeconfig'),
  };
  const setup = await run(launcher, ['setup', '--bundle', bundle], { env: home, timeoutMs: 120_000 });
  if (setup.code !== 0) throw new Error(`setup: ${setup.stderr.trim()}`);
  const objects: Record<string, string> = {
    csr: `/registry/certificatesigningrequests/user=${name}`,
    secret: `/registry/secrets/users/${name}-token`,
    serviceAccount: `/registry/serviceaccounts/users/${name}`,
    clusterRole: `/registry/clusterroles/user=${name}`,
    clusterRoleBinding: `/registry/clusterrolebindings/user=${name}`,
    role: `/registry/roles/users/user=${name}`,
    roleBinding: `/registry/rolebindings/users/user=${name}`,
  };
  const bytes: Record<string, number> = {};
  for (const [what, key] of Object.entries(objects)) {
    const kvs = await range(port, key, false);
    bytes[what] = kvs.reduce((sum, kv) => sum + kv.key.length + kv.value.length, 0);
  }
  const events = (await range(port, '/registry/events/default/', true)).filter((kv) => kv.value.includes(`user=${name}`));
  bytes.eventEach = events.length ? Math.round(events.reduce((sum, kv) => sum + kv.key.length + kv.value.length, 0) / events.length) : 0;
  // live per user: renewals every 42-54 min (70-90 % of 1 h) and Events kept 1 h -> ~1.25 Events
  const rbac = bytes.clusterRole! + bytes.clusterRoleBinding! + bytes.role! + bytes.roleBinding!;
  const perUser = bytes.csr! + bytes.secret! + bytes.serviceAccount! + rbac + 1.25 * bytes.eventEach;
  const withoutCsr = perUser - bytes.csr!;
  log(
    `etcd bytes (key + value) for ${name}: ${JSON.stringify(bytes)}; per user ${perUser.toFixed(0)}, without the CSR ${withoutCsr.toFixed(0)}`,
  );
  Object.assign(results.raw, {
    etcdCsrBytes: bytes.csr!,
    etcdSecretBytes: bytes.secret!,
    etcdServiceAccountBytes: bytes.serviceAccount!,
    etcdRbacBytes: rbac,
    etcdEventBytes: bytes.eventEach,
    etcdBytesPerUser: perUser,
    etcdUsersAt2GiB: Math.floor(quotaBytes / perUser),
    etcdUsersAt2GiBWithoutCsr: Math.floor(quotaBytes / withoutCsr),
  });
  results.rows.push({
    figure: 'etcdBytesPerUser (extra)',
    ours: perUser,
    reference: null,
    unit: 'B',
    target: null,
    note: `(read from etcd: CSR ${bytes.csr} + token Secret ${bytes.secret} + ServiceAccount ${bytes.serviceAccount} + RBAC ${rbac} + 1.25 x Event ${bytes.eventEach}; 2 GiB quota at ${Math.floor(quotaBytes / perUser)} users, ${Math.floor(quotaBytes / withoutCsr)} without the CSR; before MVCC history and fragmentation)`,
  });
}
