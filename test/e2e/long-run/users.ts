// Users of the long-running tests, made the way README tells an admin and a user to: the approver runs,
// `admin add-user --bundle`, then `setup --bundle`. The kubeconfig setup wrote is what clients load.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { launcher, run } from '../cluster.js';

export interface ClusterAccess {
  adminKubeconfig: string;
  kubectl: string;
}

export interface LoggedInUser {
  name: string;
  csrName: string;
  kubeconfig: string;
  /** The environment every client of this user runs with (the plugin inherits it). */
  env: Record<string, string>;
}

/** options.stderr: a file descriptor for the approver's log (ignored by default). */
export function startApprover(
  cluster: ClusterAccess,
  namespace: string,
  options: { extraArgs?: string[]; stderr?: number } = {},
): { stop: () => Promise<void> } {
  const child: ChildProcess = spawn(
    launcher,
    [
      'approver',
      '--kubeconfig',
      cluster.adminKubeconfig,
      '--metrics-addr',
      '127.0.0.1:0',
      '--users-namespace',
      namespace,
      ...(options.extraArgs ?? []),
    ],
    {
      stdio: ['ignore', 'ignore', options.stderr ?? 'ignore'],
    },
  );
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** add-user, a profile with the given settings (setup keeps them), then setup. */
export async function loginWithSetup(
  cluster: ClusterAccess,
  dir: string,
  name: string,
  namespace: string,
  profile: Record<string, unknown>,
): Promise<LoggedInUser> {
  const bundle = path.join(dir, `${name}.bundle`);
  const admin = ['--users-namespace', namespace, '--kubeconfig', cluster.adminKubeconfig];
  const added = await run(launcher, ['admin', 'add-user', name, '--groups', 'devs', '--bundle', bundle, ...admin]);
  if (added.code !== 0) throw new Error(`admin add-user ${name} failed: ${added.stderr}`);
  const env = {
    KUBE_CSR_LOGIN_CONFIG_DIR: path.join(dir, name, 'config'),
    KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, name, 'cache'),
    KUBECONFIG: '',
  };
  await mkdir(path.join(env.KUBE_CSR_LOGIN_CONFIG_DIR, 'profiles'), { recursive: true, mode: 0o700 });
  await writeFile(path.join(env.KUBE_CSR_LOGIN_CONFIG_DIR, 'profiles', 'default.json'), JSON.stringify({ version: 1, ...profile }), {
    mode: 0o600,
  });
  const kubeconfig = path.join(dir, `${name}.kubeconfig`);
  const setup = await run(launcher, ['setup', '--bundle', bundle, '--kubeconfig', kubeconfig, '--use-context'], { env, input: '' });
  if (setup.code !== 0) throw new Error(`setup for ${name} failed: ${setup.stderr}`);
  return { name, csrName: `user=${name}`, kubeconfig, env };
}

/** Lets the user (the certificate's CN) watch ConfigMaps in the namespace. */
export async function grantWatch(cluster: ClusterAccess, name: string, watchNamespace: string): Promise<void> {
  const rbac = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `watch-${name}`, namespace: watchNamespace },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `watch-${name}`, namespace: watchNamespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `watch-${name}` },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name }],
      },
    ],
  };
  const applied = await run(cluster.kubectl, ['--kubeconfig', cluster.adminKubeconfig, 'apply', '-f', '-'], {
    input: JSON.stringify(rbac),
  });
  if (applied.code !== 0) throw new Error(`granting ${name} watch on configmaps failed: ${applied.stderr}`);
}
