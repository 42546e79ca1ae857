// Runs `kube-csr-login approver` as a child process for the benchmark: waits until it is ready and
// leading, reads its memory from /proc/<pid>/status, stops it with SIGTERM.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { launcher, repoRoot } from '../e2e/cluster.js';

export interface Memory {
  rssKiB: number;
  hwmKiB: number;
}

export interface Approver {
  pid: number;
  cpuMs(): Promise<number>;
  memory(): Promise<Memory>;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** User + system CPU time of a process in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
export async function procCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15)
}

export async function procMemory(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}

/** NODE_OPTIONS of the approver container in examples/deploy/deployment.yaml (its heap cap). */
export async function deploymentNodeOptions(): Promise<string> {
  const text = await readFile(path.join(repoRoot, 'examples/deploy/deployment.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text).map(
    (d) =>
      d.toJS() as {
        kind?: string;
        spec?: { template?: { spec?: { containers?: Array<{ env?: Array<{ name: string; value?: string }> }> } } };
      },
  )) {
    const env = doc.kind === 'Deployment' ? doc.spec?.template?.spec?.containers?.[0]?.env : undefined;
    const value = env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
    if (value) return value;
  }
  throw new Error('examples/deploy/deployment.yaml sets no NODE_OPTIONS for the approver');
}

/** What a pod sees: the service host and port, and the ServiceAccount token and CA files. */
export interface InClusterTarget {
  host: string;
  port: number;
  tokenFile: string;
  caFile: string;
  /** The pod's namespace (POD_NAMESPACE): where its Lease lives. */
  namespace: string;
}

// In a private mount namespace, a tmpfs over /run (= /var/run) gets the pod's ServiceAccount files,
// then the approver runs with no kubeconfig: exactly the in-cluster configuration of a Deployment.
const podSandbox =
  'set -e; mount -t tmpfs -o size=1m tmpfs /run; d=/run/secrets/kubernetes.io/serviceaccount; mkdir -p "$d"; cp "$KCL_POD_TOKEN" "$d/token"; cp "$KCL_POD_CA" "$d/ca.crt"; unset KCL_POD_TOKEN KCL_POD_CA; exec "$@"';

/**
 * Starts the approver the way the example deployment runs it (same NODE_OPTIONS): with a
 * kubeconfig, or in-cluster (needs root for the mount namespace: the bench runs as root, as CI does).
 */
export async function startApprover(target: string | InClusterTarget, log: (line: string) => void): Promise<Approver> {
  const { KUBECONFIG: _kubeconfig, ...base } = process.env;
  const env: NodeJS.ProcessEnv = { ...base, NODE_OPTIONS: await deploymentNodeOptions() };
  const args = ['approver', '--metrics-addr', '127.0.0.1:0'];
  let child;
  if (typeof target === 'string') {
    child = spawn(launcher, [...args, '--kubeconfig', target], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    if (process.getuid?.() !== 0) throw new Error('the in-cluster approver runs in a mount namespace: run the bench as root');
    Object.assign(env, {
      KUBERNETES_SERVICE_HOST: target.host,
      KUBERNETES_SERVICE_PORT: String(target.port),
      POD_NAMESPACE: target.namespace,
      KCL_POD_TOKEN: target.tokenFile,
      KCL_POD_CA: target.caFile,
    });
    child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', podSandbox, 'pod', launcher, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('cannot start the approver');
  let stderr = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  let address = '';
  const get = async (path: string) => {
    const res = await fetch(`http://${address}${path}`);
    return { status: res.status, text: await res.text() };
  };
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await Promise.race([exit, sleep(20_000)]);
    if (!exited) child.kill('SIGKILL');
    await exit;
  };
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`approver did not become ready: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    address ||= /metrics on ([0-9a-f.:[\]]+:\d+)/.exec(stderr)?.[1] ?? '';
    if (address) {
      const ready = await get('/readyz').catch(() => ({ status: 0, text: '' }));
      const metrics = ready.status === 200 ? await get('/metrics').catch(() => ({ status: 0, text: '' })) : { text: '' };
      if (/^kube_csr_login_approver_(?:is_)?leader(?:\{[^}]*\})? 1$/m.test(metrics.text)) break;
    }
    await sleep(100);
  }
  log(
    `approver ${pid} ready and leading (${typeof target === 'string' ? 'kubeconfig' : `in-cluster, ${target.host}:${target.port}`}; metrics on ${address}; NODE_OPTIONS=${env.NODE_OPTIONS})`,
  );
  return { pid, cpuMs: () => procCpuMs(pid), memory: () => procMemory(pid), metrics: async () => (await get('/metrics')).text, stop };
}
