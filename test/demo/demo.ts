// `npm run demo`: the seed walkthrough ("Generating user certificates with the CSR API"), automated
// on the real local control plane with the real kubectl. Exits 0 only if every step holds.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'bin/kube-csr-login');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let failures = 0;
function step(title: string, ok: boolean, detail: string): void {
  if (!ok) failures += 1;
  process.stdout.write(`${ok ? '  ok  ' : ' FAIL '} ${title}\n${detail.trim().replace(/^/gm, '        ')}\n`);
}

async function main(): Promise<void> {
  process.stdout.write('== starting the local control plane (npm run cluster:up)\n');
  const up = await run('bash', [path.join(root, 'test/cluster/up.sh')]);
  if (up.code !== 0) throw new Error(`the control plane did not start:\n${up.stderr}`);
  const adminConfig = up.stdout.trim().split('\n').at(-1) ?? '';
  const clusterEnv = await readFile(path.join(path.dirname(adminConfig), 'cluster.env'), 'utf8');
  const kubectl = /^KCL_KUBECTL=(.*)$/m.exec(clusterEnv)?.[1] ?? 'kubectl';
  const work = await mkdtemp(path.join(os.tmpdir(), 'kcl-demo-'));
  const userEnv = {
    KUBE_CSR_LOGIN_CONFIG_DIR: path.join(work, 'config'),
    KUBE_CSR_LOGIN_CACHE_DIR: path.join(work, 'cache'),
  };
  const userConfig = path.join(work, 'jean.doe.kubeconfig');
  const asAdmin = (...args: string[]) => run(kubectl, ['--kubeconfig', adminConfig, ...args]);
  const asJean = (...args: string[]) => run(kubectl, ['--kubeconfig', userConfig, ...args]);

  process.stdout.write(`== admin: start the approver (kube-csr-login approver)\n`);
  const approver: ChildProcess = spawn(bin, ['approver', '--kubeconfig', adminConfig, '--metrics-addr', '127.0.0.1:0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let approverLog = '';
  approver.stderr?.on('data', (chunk: Buffer) => (approverLog += chunk.toString()));
  try {
    const bundle = path.join(work, 'jean.doe.bundle');
    const add = await run(bin, ['admin', 'add-user', 'jean.doe', '--groups', 'devs', '--bundle', bundle, '--kubeconfig', adminConfig]);
    step('admin add-user jean.doe --groups devs: namespace users, ServiceAccount, ClusterRole/Binding user=jean.doe, token', add.code === 0, add.stdout + add.stderr);

    const setup = await run(bin, ['setup', '--bundle', bundle, '--kubeconfig', userConfig, '--use-context'], userEnv);
    step('jean.doe: kube-csr-login setup --bundle (kubeconfig exec stanza, first certificate via the CSR API)', setup.code === 0, setup.stdout + setup.stderr);

    const forbidden = await asJean('get', 'pods', '-n', 'default');
    step('jean.doe: kubectl get pods -> Forbidden', forbidden.code !== 0 && forbidden.stderr.includes('Forbidden'), forbidden.stderr);

    const whoami = await asJean('auth', 'whoami');
    step('jean.doe: kubectl auth whoami -> jean.doe in group devs', /jean\.doe/.test(whoami.stdout) && /devs/.test(whoami.stdout), whoami.stdout + whoami.stderr);

    const csr = await asAdmin('get', 'csr', 'user=jean.doe', '-o', 'custom-columns=NAME:.metadata.name,SIGNER:.spec.signerName,REQUESTOR:.spec.username,CONDITION:.status.conditions[*].type,REASON:.status.conditions[*].reason');
    step('admin: the CSR was approved by the approver, not by hand', /Approved/.test(csr.stdout), csr.stdout + csr.stderr);

    const role = await asAdmin('create', 'role', 'pod-reader', '-n', 'default', '--verb=get,list,watch', '--resource=pods');
    const binding = await asAdmin('create', 'rolebinding', 'pod-reader:devs', '-n', 'default', '--role=pod-reader', '--group=devs');
    step('admin: grant the group devs a Role to read pods in default', role.code === 0 && binding.code === 0, role.stdout + binding.stdout + role.stderr + binding.stderr);

    const allowed = await asJean('get', 'pods', '-n', 'default');
    step('jean.doe: kubectl get pods -> allowed', allowed.code === 0, allowed.stdout + allowed.stderr);

    const status = await run(bin, ['status'], userEnv);
    step('jean.doe: kube-csr-login status', status.code === 0, status.stdout + status.stderr);
  } finally {
    approver.kill('SIGTERM');
    if (process.env.KCL_KEEP_CLUSTER) {
      process.stdout.write(`== cluster kept running (KCL_KEEP_CLUSTER): admin kubeconfig ${adminConfig}, user kubeconfig ${userConfig}\n`);
    } else {
      await run('bash', [path.join(root, 'test/cluster/down.sh')]);
      process.stdout.write('== control plane stopped (set KCL_KEEP_CLUSTER=1 to keep it)\n');
    }
  }
  if (failures > 0 && approverLog) process.stdout.write(`approver log:\n${approverLog}`);
  process.stdout.write(failures === 0 ? '== demo passed\n' : `== demo FAILED: ${failures} step(s)\n`);
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
