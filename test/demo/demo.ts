// `npm run demo`: the seed walkthrough ("Generating user certificates with the CSR API"), automated
// on the real local control plane with the real kubectl. Exits 0 only if every step holds.
// The approver (kube-csr-login approver) approves the CSR. Until `admin add-user` and `setup` land,
// the user's resources are applied with kubectl as in the seed, and the user's kubeconfig is the
// hand-written exec stanza from README.md.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cluster, launcher, repoRoot, run, tempDir, writeUserKubeconfig } from '../e2e/cluster.js';
import { provisionUser } from '../e2e/provision.js';

let failures = 0;
function step(title: string, ok: boolean, detail: string): void {
  if (!ok) failures += 1;
  const body = detail.trim() ? `${detail.trim().replace(/^/gm, '        ')}\n` : '';
  process.stdout.write(`${ok ? '  ok  ' : ' FAIL '} ${title}\n${body}`);
}

async function startCluster(): Promise<void> {
  process.stdout.write('== starting the local control plane (npm run cluster:up; the first run builds it from source)\n');
  const up = await run('bash', [path.join(repoRoot, 'test/cluster/up.sh')], { timeoutMs: 40 * 60_000 });
  if (up.code !== 0) throw new Error(`the control plane did not start:\n${up.stderr}`);
  const adminConfig = up.stdout.trim().split('\n').at(-1) ?? '';
  for (const line of (await readFile(path.join(path.dirname(adminConfig), 'cluster.env'), 'utf8')).split('\n')) {
    const match = /^(KCL_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1]) process.env[match[1]] = match[2];
  }
  process.env.KCL_ADMIN_KUBECONFIG = adminConfig;
}

async function walkthrough(): Promise<void> {
  const work = await tempDir('demo');
  const asAdmin = (...args: string[]) => run(cluster.kubectl, ['--kubeconfig', cluster.adminKubeconfig, ...args]);
  const userConfig = path.join(work, 'jean.doe.kubeconfig');
  const asJean = (...args: string[]) => run(cluster.kubectl, ['--kubeconfig', userConfig, ...args]);

  const jean = await provisionUser(work, 'jean.doe', ['devs']);
  const sa = await asAdmin('get', 'serviceaccount/jean.doe', 'secret/jean.doe-token', '-n', 'users', '-o', 'name');
  const rbac = await asAdmin('get', 'clusterrole/user=jean.doe', 'clusterrolebinding/user=jean.doe', '-o', 'name');
  step('admin: namespace users, ServiceAccount jean.doe (groups annotation: devs), ClusterRole + ClusterRoleBinding user=jean.doe, token Secret', sa.code === 0 && rbac.code === 0, sa.stdout + rbac.stdout + sa.stderr + rbac.stderr);

  await writeUserKubeconfig(userConfig, {
    args: ['get-credential', '--token-file', jean.tokenFile, '--user', 'jean.doe', '--groups', 'devs'],
    env: { KUBE_CSR_LOGIN_CACHE_DIR: path.join(work, 'cache') },
  });
  step('jean.doe: kubeconfig with the kube-csr-login exec stanza (no certificate, no key in it)', true, `${userConfig}`);

  process.stdout.write('== admin: kube-csr-login approver is running (validates and approves user CSRs)\n');
  const approver = spawn(launcher, ['approver', '--kubeconfig', cluster.adminKubeconfig, '--metrics-addr', '127.0.0.1:0', '--no-leader-elect'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let approverLog = '';
  approver.stderr?.on('data', (chunk: Buffer) => (approverLog += chunk.toString()));
  try {
    const forbidden = await asJean('get', 'pods', '-n', 'default');
    step('jean.doe: kubectl get pods -> Forbidden (the plugin generated a key, submitted CSR user=jean.doe, the approver approved it, csrsigning signed it)', forbidden.code !== 0 && forbidden.stderr.includes('Forbidden'), forbidden.stderr);
    const csr = await asAdmin('get', 'csr', 'user=jean.doe', '-o', 'custom-columns=NAME:.metadata.name,SIGNER:.spec.signerName,REQUESTOR:.spec.username,CONDITION:.status.conditions[*].type,REASON:.status.conditions[*].reason');
    step('admin: the CSR was approved by the approver, no human step', /KubeCsrLoginApproved/.test(csr.stdout), csr.stdout);
  } finally {
    approver.kill('SIGTERM');
  }
  process.stdout.write(`approver log:\n${approverLog.replace(/^/gm, '        ')}\n`);
  const whoami = await asJean('auth', 'whoami');
  step('jean.doe: kubectl auth whoami -> jean.doe in group devs (served from the cache)', /jean\.doe/.test(whoami.stdout) && /devs/.test(whoami.stdout), whoami.stdout + whoami.stderr);

  const role = await asAdmin('create', 'role', 'pod-reader', '-n', 'default', '--verb=get,list,watch', '--resource=pods');
  const binding = await asAdmin('create', 'rolebinding', 'pod-reader-devs', '-n', 'default', '--role=pod-reader', '--group=devs');
  step('admin: grant the group devs a Role to read pods in default', role.code === 0 && binding.code === 0, role.stdout + binding.stdout + role.stderr + binding.stderr);

  const allowed = await asJean('get', 'pods', '-n', 'default');
  step('jean.doe: kubectl get pods -> allowed', allowed.code === 0, allowed.stdout + allowed.stderr);
}

async function main(): Promise<void> {
  await startCluster();
  try {
    await walkthrough();
  } finally {
    if (process.env.KCL_KEEP_CLUSTER) {
      process.stdout.write(`== cluster kept running (KCL_KEEP_CLUSTER): admin kubeconfig ${cluster.adminKubeconfig}\n`);
    } else {
      await run('bash', [path.join(repoRoot, 'test/cluster/down.sh')]);
      process.stdout.write('== control plane stopped (KCL_KEEP_CLUSTER=1 keeps it)\n');
    }
  }
  process.stdout.write(failures === 0 ? '== demo passed\n' : `== demo FAILED: ${failures} step(s)\n`);
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
