// The real node of the approver-pod suite: test/cluster/node/node-up.sh adds containerd, a kubelet,
// kube-scheduler and the node controllers to the suite's control plane; node-down.sh removes them
// with every piece of host state (host-state.sh lists it). Plus what the suite reads off the node:
// a pod's log file (the kubelet writes /var/log/pods; `kubectl logs` would need kubelet client
// credentials the apiserver here does not have) and a container process's /proc status.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { admin, repoRoot, run } from '../cluster.js';

const scripts = path.join(repoRoot, 'test/cluster/node');
export const nodeEnv: Record<string, string> = {};

async function script(name: string, args: string[], timeoutMs: number): Promise<string> {
  const result = await run('bash', [path.join(scripts, name), ...args], { timeoutMs });
  if (result.code !== 0) throw new Error(`${name} exited ${result.code}: ${result.stderr.trim().split('\n').slice(-15).join('\n')}`);
  return result.stdout;
}

export const hostState = (): Promise<string> => script('host-state.sh', [], 30_000);

export async function nodeUp(images: string[]): Promise<void> {
  // a cold machine builds the kubelet (minutes) and installs containerd with apt-get
  await script('node-up.sh', images, 30 * 60_000);
  const env = await readFile(path.join(process.env.KCL_CLUSTER_DIR ?? '', 'node', 'node.env'), 'utf8');
  for (const line of env.trim().split('\n')) {
    const [key, ...value] = line.split('=');
    if (key) nodeEnv[key] = value.join('=');
  }
}

export const nodeDown = (): Promise<string> => script('node-down.sh', [], 5 * 60_000);

interface PodInfo {
  name: string;
  uid: string;
  ready: boolean;
  restarts: number;
  containerId: string;
}

export async function pods(namespace: string, selector = 'app=kube-csr-login-approver'): Promise<PodInfo[]> {
  const list = JSON.parse(await admin('get', 'pods', '-n', namespace, '-l', selector, '-o', 'json')) as {
    items: {
      metadata: { name: string; uid: string; deletionTimestamp?: string };
      status: { containerStatuses?: { ready: boolean; restartCount: number; containerID?: string }[] };
    }[];
  };
  return list.items
    .filter((pod) => !pod.metadata.deletionTimestamp)
    .map((pod) => {
      const status = pod.status.containerStatuses?.[0];
      return {
        name: pod.metadata.name,
        uid: pod.metadata.uid,
        ready: status?.ready === true,
        restarts: status?.restartCount ?? 0,
        containerId: (status?.containerID ?? '').replace(/^containerd:\/\//, ''),
      };
    });
}

/** The container's log as the kubelet wrote it (CRI format: "<time> <stream> <F|P> <text>"), texts only. */
export async function podLog(namespace: string, pod: PodInfo, container = 'approver'): Promise<string[]> {
  const dir = `/var/log/pods/${namespace}_${pod.name}_${pod.uid}/${container}`;
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.log')).sort();
  const lines: string[] = [];
  for (const file of files)
    for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
      const match = /^\S+ (?:stdout|stderr) [FP] (.*)$/.exec(line);
      if (match?.[1] !== undefined) lines.push(match[1]);
    }
  return lines;
}

/** Fields of /proc/<pid>/status of the container's main process (found through containerd). */
export async function containerProcess(containerId: string): Promise<Record<string, string>> {
  const listed = await run('ctr', ['-a', nodeEnv.KCL_CTR_SOCKET ?? '', '-n', 'k8s.io', 'tasks', 'ls']);
  if (listed.code !== 0) throw new Error(`ctr tasks ls: ${listed.stderr}`);
  const tasks = listed.stdout;
  const pid = tasks
    .split('\n')
    .find((line) => line.startsWith(containerId))
    ?.split(/\s+/)[1];
  if (!pid) throw new Error(`no running task for container ${containerId}`);
  const status: Record<string, string> = {};
  for (const line of (await readFile(`/proc/${pid}/status`, 'utf8')).split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) status[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return status;
}
