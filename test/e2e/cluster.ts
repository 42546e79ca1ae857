// Helpers for the end-to-end suite: the real control plane started by global-setup.js, the real
// kubectl (built from the same release, or an installed one), and the real bin/kube-csr-login.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const launcher = path.join(repoRoot, 'bin/kube-csr-login');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the e2e suite runs under jest's global setup`);
  return value;
}

export const cluster = {
  get server() {
    return required('KCL_SERVER');
  },
  get caFile() {
    return required('KCL_CA_FILE');
  },
  get adminKubeconfig() {
    return required('KCL_ADMIN_KUBECONFIG');
  },
  get kubectl() {
    return required('KCL_KUBECTL');
  },
};

/** An installed older kubectl (v1.33.1, the newest the machine's Cloud SDK ships): an old client reads our
 * ExecCredential too. In-policy skew (one minor either way) is the version matrix's (docs/versions.md). */
export const installedKubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** false: `env` is the whole environment (an installed copy on a clean machine), not added to this one's. */
  inheritEnv?: boolean;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      {
        env: options.inheritEnv === false ? options.env : { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
        cwd: options.cwd,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** The arguments of `admin add-user` that provision USER in NAMESPACE and write its login bundle. */
export function addUserArgs(user: string, groups: string, namespace: string, bundle: string): string[] {
  return [
    'admin',
    'add-user',
    user,
    '--groups',
    groups,
    '--users-namespace',
    namespace,
    '--kubeconfig',
    cluster.adminKubeconfig,
    '--bundle',
    bundle,
  ];
}

export async function admin(...args: string[]): Promise<string> {
  const result = await run(cluster.kubectl, ['--kubeconfig', cluster.adminKubeconfig, ...args]);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `kcl-e2e-${prefix}-`));
}

export interface StanzaOptions {
  apiVersion?: 'client.authentication.k8s.io/v1' | 'client.authentication.k8s.io/v1beta1';
  args: string[];
  env?: Record<string, string>;
}

/** A kubeconfig whose only user runs our plugin, as README tells users to write it by hand. */
export async function writeUserKubeconfig(file: string, stanza: StanzaOptions): Promise<void> {
  const apiVersion = stanza.apiVersion ?? 'client.authentication.k8s.io/v1';
  const env = Object.entries(stanza.env ?? {}).map(([name, value]) => ({ name, value }));
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server: cluster.server, 'certificate-authority': cluster.caFile } }],
    users: [
      {
        name: 'plugin-user',
        user: {
          exec: {
            apiVersion,
            command: launcher,
            args: stanza.args,
            env,
            interactiveMode: 'Never',
            provideClusterInfo: true,
          },
        },
      },
    ],
    contexts: [{ name: 'plugin', context: { cluster: 'local', user: 'plugin-user' } }],
    'current-context': 'plugin',
  };
  await writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
