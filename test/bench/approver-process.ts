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
  memory(): Promise<Memory>;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function procMemory(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}

/** NODE_OPTIONS of the approver container in examples/deploy/deployment.yaml (its heap cap). */
export async function deploymentNodeOptions(): Promise<string> {
  const text = await readFile(path.join(repoRoot, 'examples/deploy/deployment.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text).map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Array<{ env?: Array<{ name: string; value?: string }> }> } } } })) {
    const env = doc.kind === 'Deployment' ? doc.spec?.template?.spec?.containers?.[0]?.env : undefined;
    const value = env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
    if (value) return value;
  }
  throw new Error('examples/deploy/deployment.yaml sets no NODE_OPTIONS for the approver');
}

/** Starts the approver the way the example deployment runs it (same NODE_OPTIONS). */
export async function startApprover(adminKubeconfig: string, log: (line: string) => void): Promise<Approver> {
  const env = { ...process.env, NODE_OPTIONS: await deploymentNodeOptions() };
  const child = spawn(launcher, ['approver', '--kubeconfig', adminKubeconfig, '--metrics-addr', '127.0.0.1:0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
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
    address ||= /metrics on (\S+)/.exec(stderr)?.[1] ?? '';
    if (address) {
      const ready = await get('/readyz').catch(() => ({ status: 0, text: '' }));
      const metrics = ready.status === 200 ? await get('/metrics').catch(() => ({ status: 0, text: '' })) : { text: '' };
      if (/^kube_csr_login_approver_leader 1$/m.test(metrics.text)) break;
    }
    await sleep(100);
  }
  log(`approver ${pid} ready and leading (metrics on ${address}; NODE_OPTIONS=${env.NODE_OPTIONS})`);
  return { pid, memory: () => procMemory(pid), metrics: async () => (await get('/metrics')).text, stop };
}
