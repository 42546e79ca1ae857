// `npm run demo`: the seed walkthrough ("Generating user certificates with the CSR API"), automated
// on the real local control plane with the real kubectl. Exits 0 only if every step holds.
// The admin provisions the user with `kube-csr-login admin add-user` and runs the approver; the user
// runs `kube-csr-login setup` once and then only kubectl.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startCluster as startLocalCluster } from '../cluster/start.js';
import { cluster, launcher, repoRoot, run, tempDir } from '../e2e/cluster.js';

let failures = 0;
function step(title: string, ok: boolean, detail: string): void {
  if (!ok) failures += 1;
  const body = detail.trim() ? `${detail.trim().replace(/^/gm, '        ')}\n` : '';
  process.stdout.write(`${ok ? '  ok  ' : ' FAIL '} ${title}\n${body}`);
}

async function startCluster(): Promise<void> {
  process.stdout.write('== starting the local control plane (npm run cluster:up; the first run builds it from source)\n');
  await startLocalCluster();
}

async function walkthrough(): Promise<void> {
  const work = await tempDir('demo');
  const asAdmin = (...args: string[]) => run(cluster.kubectl, ['--kubeconfig', cluster.adminKubeconfig, ...args]);
  const userConfig = path.join(work, 'jean.doe.kubeconfig');
  const bundle = path.join(work, 'jean.doe.bundle');
  // jean.doe's machine: their own kubeconfig, config and cache dirs
  const jeanEnv = {
    KUBECONFIG: userConfig,
    KUBE_CSR_LOGIN_CONFIG_DIR: path.join(work, 'config'),
    KUBE_CSR_LOGIN_CACHE_DIR: path.join(work, 'cache'),
  };
  const asJean = (...args: string[]) => run(cluster.kubectl, args, { env: jeanEnv });
  const jeanRuns = (...args: string[]) => run(launcher, args, { env: jeanEnv, input: '' });
  const adminRuns = (...args: string[]) => run(launcher, [...args, '--kubeconfig', cluster.adminKubeconfig]);

  process.stdout.write('== admin: kube-csr-login approver is running (validates and approves user CSRs)\n');
  const approver = spawn(
    launcher,
    ['approver', '--kubeconfig', cluster.adminKubeconfig, '--metrics-addr', '127.0.0.1:0', '--no-leader-elect'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let approverLog = '';
  approver.stderr?.on('data', (chunk: Buffer) => (approverLog += chunk.toString()));
  try {
    const added = await adminRuns('admin', 'add-user', 'jean.doe', '--groups', 'devs', '--bundle', bundle);
    step(
      'admin: kube-csr-login admin add-user jean.doe --groups devs --bundle jean.doe.bundle',
      added.code === 0,
      added.stdout + added.stderr,
    );
    const sa = await asAdmin('get', 'serviceaccount/jean.doe', 'secret/jean.doe-token', 'role/user=jean.doe', '-n', 'users', '-o', 'name');
    const rbac = await asAdmin('get', 'clusterrole/user=jean.doe', 'clusterrolebinding/user=jean.doe', '-o', 'name');
    step(
      'admin: namespace users, ServiceAccount jean.doe (groups annotation: devs), RBAC user=jean.doe, token Secret',
      sa.code === 0 && rbac.code === 0,
      sa.stdout + rbac.stdout + sa.stderr + rbac.stderr,
    );

    const setup = await jeanRuns('setup', '--bundle', bundle, '--use-context');
    step(
      'jean.doe: kube-csr-login setup --bundle jean.doe.bundle --use-context (kubeconfig written, first certificate issued)',
      setup.code === 0 && /as jean\.doe \(groups: devs\)/.test(setup.stdout),
      setup.stdout + setup.stderr,
    );
    const csr = await asAdmin(
      'get',
      'csr',
      'user=jean.doe',
      '-o',
      'custom-columns=NAME:.metadata.name,SIGNER:.spec.signerName,REQUESTOR:.spec.username,CONDITION:.status.conditions[*].type,REASON:.status.conditions[*].reason',
    );
    step(
      'admin: CSR user=jean.doe was approved by the approver, no human step',
      /KubeCsrLoginApproved/.test(csr.stdout),
      csr.stdout + csr.stderr,
    );
  } finally {
    approver.kill('SIGTERM');
  }
  process.stdout.write(`approver log:\n${approverLog.replace(/^/gm, '        ')}\n`);
  const stanza = await asJean('config', 'view', '--minify', '-o', 'jsonpath={.users[0].user.exec}');
  step(
    'jean.doe: the kubeconfig user runs kube-csr-login (no certificate, no key, no token in it)',
    stanza.code === 0 && stanza.stdout.includes('get-credential'),
    stanza.stdout,
  );

  const forbidden = await asJean('get', 'pods', '-n', 'default');
  step(
    'jean.doe: kubectl get pods -> Forbidden (authenticated by the certificate, not yet authorized)',
    forbidden.code !== 0 && forbidden.stderr.includes('Forbidden'),
    forbidden.stderr,
  );
  const whoami = await asJean('auth', 'whoami');
  step(
    'jean.doe: kubectl auth whoami -> jean.doe in group devs (served from the cache)',
    /jean\.doe/.test(whoami.stdout) && /devs/.test(whoami.stdout),
    whoami.stdout + whoami.stderr,
  );
  const status = await jeanRuns('status');
  step('jean.doe: kube-csr-login status', status.code === 0 && status.stdout.includes('jean.doe'), status.stdout + status.stderr);

  const role = await asAdmin('create', 'role', 'pod-reader', '-n', 'default', '--verb=get,list,watch', '--resource=pods');
  const binding = await asAdmin('create', 'rolebinding', 'pod-reader-devs', '-n', 'default', '--role=pod-reader', '--group=devs');
  step(
    'admin: grant the group devs a Role to read pods in default',
    role.code === 0 && binding.code === 0,
    role.stdout + binding.stdout + role.stderr + binding.stderr,
  );

  const allowed = await asJean('get', 'pods', '-n', 'default');
  step('jean.doe: kubectl get pods -> allowed', allowed.code === 0, allowed.stdout + allowed.stderr);
  const users = await adminRuns('admin', 'list-users');
  step('admin: kube-csr-login admin list-users', users.code === 0 && users.stdout.includes('jean.doe'), users.stdout + users.stderr);
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
