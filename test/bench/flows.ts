// The two blocking flows compared by the benchmark: our get-credential on an empty cache, and the
// seed walkthrough's manual flow (openssl + kubectl create + admin approve + poll) scripted.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { admin, cluster, launcher, run } from '../e2e/cluster.js';
import type { ProvisionedUser } from '../e2e/provision.js';
import { timed } from './stats.js';
import { pluginArgs as argsFor } from '../helpers/plugin-args.js';

/** The get-credential command line for a provisioned user of the cluster. */
export function pluginArgs(user: ProvisionedUser): string[] {
  return argsFor({ server: cluster.server, caFile: cluster.caFile, tokenFile: user.tokenFile, user: user.name, groups: user.groups });
}

export async function freshCacheEnv(): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kcl-bench-cache-'));
  return { ...process.env, KUBE_CSR_LOGIN_CACHE_DIR: dir };
}

/** Our blocking renewal: get-credential with an empty cache dir. */
export async function oursBlocking(user: ProvisionedUser): Promise<number> {
  const env = await freshCacheEnv();
  const result = await timed(launcher, pluginArgs(user), env);
  if (result.code !== 0) throw new Error(`get-credential failed: ${result.stderr}`);
  return result.ms;
}

/** A kubeconfig authenticating as the user's ServiceAccount token (token stays in a file). */
export async function tokenKubeconfig(dir: string, user: ProvisionedUser): Promise<string> {
  const token = (await readFile(user.tokenFile, 'utf8')).trim();
  const file = path.join(dir, `${user.name}.kubeconfig`);
  const ca = (await readFile(cluster.caFile)).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: cluster.server, 'certificate-authority-data': ca } }],
    users: [{ name: 'u', user: { token } }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'c',
  };
  await writeFile(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

/** The seed's manual flow, scripted; returns wall ms. */
export async function seedFlow(dir: string, user: ProvisionedUser, userKubeconfig: string): Promise<number> {
  const start = process.hrtime.bigint();
  const key = path.join(dir, 'seed.key');
  const csrFile = path.join(dir, 'seed.csr');
  const subj = `/CN=${user.name}${user.groups.map((g) => `/O=${g}`).join('')}`;
  const ssl = await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', subj, '-out', csrFile]);
  if (ssl.code !== 0) throw new Error(`openssl failed: ${ssl.stderr}`);
  const name = `user=${user.name}`;
  const manifest = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: (await readFile(csrFile)).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client',
      expirationSeconds: 3600,
      usages: ['digital signature', 'key encipherment', 'client auth'],
    },
  };
  const manifestFile = path.join(dir, 'seed-csr.json');
  await writeFile(manifestFile, JSON.stringify(manifest));
  const k = cluster.kubectl;
  const created = await run(k, ['--kubeconfig', userKubeconfig, 'create', '-f', manifestFile]);
  if (created.code !== 0) throw new Error(`kubectl create failed: ${created.stderr}`);
  await admin('certificate', 'approve', name);
  for (;;) {
    const got = await run(k, ['--kubeconfig', userKubeconfig, 'get', 'csr', name, '-o', 'jsonpath={.status.certificate}']);
    if (got.code === 0 && got.stdout.trim()) break;
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Deletes the user's CSR (admin), so each run starts from nothing. */
export async function deleteCsr(user: ProvisionedUser): Promise<void> {
  await admin('delete', 'csr', `user=${user.name}`, '--ignore-not-found', '--wait=false');
}
