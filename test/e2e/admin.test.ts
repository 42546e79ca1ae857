// The admin commands end to end against the real control plane: add-user twice (idempotent, then
// other groups), the login bundle (0600, a token the API server accepts, the RBAC it needs),
// --token-duration (which deletes the token Secret, revoking the long-lived token), list-users with
// a real CSR, a 403 for a non-admin, and remove-user revoking the token. Runs in its own users
// namespace so other e2e files are not disturbed.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { parseLoginBundle } from '../../src/setup/login-input.js';
import { buildCsrPem, generatePrivateKeyPem } from '../../src/pki/csr.js';
import { admin, cluster, launcher, run, sleep, tempDir } from './cluster.js';

jest.setTimeout(240_000);

const user = 'admin.amy';
const namespace = 'admin-e2e';
const account = `system:serviceaccount:${namespace}:${user}`;
let dir: string;
let bundle: string;
let shortBundle: string;

const kcl = (...args: string[]) =>
  run(launcher, ['admin', ...args, '--users-namespace', namespace, '--kubeconfig', cluster.adminKubeconfig], { input: '' });
const kubectlWith = (kubeconfig: string, ...args: string[]) => run(cluster.kubectl, ['--kubeconfig', kubeconfig, ...args]);

async function tokenOf(file: string): Promise<string> {
  return parseLoginBundle(await readFile(file, 'utf8'), file).token;
}

function expectNoToken(token: string, ...texts: string[]): void {
  for (const text of texts) expect(text.includes(token)).toBe(false);
}

/** The bundle's token gets 401; polled, as the API server caches an accepted token for a few seconds. */
async function expectUnauthorized(file: string): Promise<void> {
  let whoami = await kubectlWith(file, 'auth', 'whoami');
  for (let attempt = 0; attempt < 100 && whoami.code === 0; attempt += 1) {
    await sleep(200);
    whoami = await kubectlWith(file, 'auth', 'whoami');
  }
  expect(whoami.code).not.toBe(0);
  expect(whoami.stderr).toMatch(/Unauthorized|must be logged in/);
}

beforeAll(async () => {
  dir = await tempDir('admin');
  bundle = path.join(dir, 'amy.bundle');
  shortBundle = path.join(dir, 'amy-1h.bundle');
});
afterAll(async () => {
  await kcl('remove-user', user).catch(() => undefined);
  await admin('delete', 'csr', `user=${user}`, '--ignore-not-found').catch(() => '');
  await admin('delete', 'namespace', namespace, '--ignore-not-found', '--wait=false').catch(() => '');
});

describe('admin add-user', () => {
  test('creates the user and writes a 0600 bundle whose token the API server accepts', async () => {
    const added = await kcl('add-user', user, '--groups', 'devs', '--bundle', bundle);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`created   ServiceAccount ${namespace}/${user}`);
    expect(added.stdout).toContain(`created   ClusterRoleBinding user=${user}`);
    expect(added.stdout).toContain(`kube-csr-login setup --bundle ${bundle}`);
    expect((await stat(bundle)).mode & 0o777).toBe(0o600);
    expectNoToken(await tokenOf(bundle), added.stdout, added.stderr);

    const whoami = await kubectlWith(bundle, 'auth', 'whoami', '-o', 'json');
    expect(whoami.stderr).toBe('');
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe(account);
    expect((await kubectlWith(bundle, 'auth', 'can-i', 'create', 'certificatesigningrequests')).stdout.trim()).toBe('yes');
    expect((await kubectlWith(bundle, 'auth', 'can-i', 'get', `certificatesigningrequests/user=${user}`)).stdout.trim()).toBe('yes');
    expect((await kubectlWith(bundle, 'auth', 'can-i', 'get', 'certificatesigningrequests/user=someone')).stdout.trim()).toBe('no');
    // setup reads the groups annotation with the user's own token
    const own = await kubectlWith(
      bundle,
      'get',
      'serviceaccount',
      user,
      '-n',
      namespace,
      '-o',
      'jsonpath={.metadata.annotations.kube-csr-login\\.io/groups}',
    );
    expect(own).toMatchObject({ code: 0, stdout: 'devs' });
  });

  test('running it again is idempotent; other groups update only the annotation', async () => {
    const token = await tokenOf(bundle);
    const same = await kcl('add-user', user, '--groups', 'devs');
    expect(same.code).toBe(0);
    expect(same.stdout).not.toMatch(/^\s+(created|updated)/m);
    expect(same.stdout).toContain(`token: in Secret ${namespace}/${user}-token (not printed)`);
    expectNoToken(token, same.stdout, same.stderr);

    const regrouped = await kcl('add-user', user, '--groups', 'qa,ops', '--bundle', bundle);
    expect(regrouped.code).toBe(0);
    expect(regrouped.stdout).toContain(`updated   ServiceAccount ${namespace}/${user}`);
    expect(regrouped.stdout).toContain(`unchanged ClusterRole user=${user}`);
    expect(
      await admin('get', 'serviceaccount', user, '-n', namespace, '-o', 'jsonpath={.metadata.annotations.kube-csr-login\\.io/groups}'),
    ).toBe('qa,ops');
    expect(await tokenOf(bundle)).toBe(token);
  });

  test('--token-duration writes a TokenRequest token and deletes the token Secret: the long-lived token stops working', async () => {
    const oldToken = await tokenOf(bundle);
    const added = await kcl(
      'add-user',
      user,
      '--groups',
      'qa,ops',
      '--token-duration',
      '1h',
      '--bundle',
      shortBundle,
      '--server',
      cluster.server,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/token: requested with a TokenRequest, valid until \S+/);
    expect(added.stdout).toContain(
      `deleted Secret ${namespace}/${user}-token: its long-lived token no longer works (within ~10 s: the API server caches accepted tokens)\n`,
    );
    expect(await admin('get', 'secret', `${user}-token`, '-n', namespace, '--ignore-not-found', '-o', 'name')).toBe('');
    const token = await tokenOf(shortBundle);
    expect(token).not.toBe(oldToken);
    expectNoToken(token, added.stdout, added.stderr);
    expectNoToken(oldToken, added.stdout, added.stderr);

    await expectUnauthorized(bundle);
    const whoami = await kubectlWith(shortBundle, 'auth', 'whoami', '-o', 'json');
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe(account);

    const again = await kcl(
      'add-user',
      user,
      '--groups',
      'qa,ops',
      '--token-duration',
      '1h',
      '--bundle',
      shortBundle,
      '--server',
      cluster.server,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('Secret');
  });
});

describe('admin list-users', () => {
  test('shows the user, its groups, its CSR and the certificate expiry', async () => {
    const key = await generatePrivateKeyPem('ecdsa-p256');
    const csr = {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: `user=${user}` },
      spec: {
        request: Buffer.from(await buildCsrPem(key, 'ecdsa-p256', user, ['qa'])).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client',
        usages: ['client auth', 'digital signature'],
        expirationSeconds: 3600,
      },
    };
    const file = path.join(dir, 'csr.json');
    await writeFile(file, JSON.stringify(csr));
    await admin('delete', 'csr', `user=${user}`, '--ignore-not-found');
    expect(await kubectlWith(shortBundle, 'create', '-f', file)).toMatchObject({ code: 0 });

    const pending = JSON.parse((await kcl('list-users', '-o', 'json')).stdout);
    expect(pending).toEqual({
      namespace,
      users: [
        {
          name: user,
          groups: ['qa', 'ops'],
          csr: { name: `user=${user}`, created: expect.any(String), state: 'Pending' },
          certificateExpires: null,
          credentialId: null,
          lastRenewal: null,
          tokenLastUsed: null, // a TokenRequest token (--token-duration): no Secret to label
        },
      ],
    });

    await admin('certificate', 'approve', `user=${user}`);
    let listed: { users: Array<{ csr: { state: string } | null; certificateExpires: string | null }> } = { users: [] };
    for (let attempt = 0; attempt < 100 && listed.users[0]?.csr?.state !== 'Issued'; attempt += 1) {
      if (attempt > 0) await sleep(200);
      listed = JSON.parse((await kcl('list-users', '-o', 'json')).stdout);
    }
    expect(listed.users[0]?.csr?.state).toBe('Issued');
    const expires = Date.parse(listed.users[0]?.certificateExpires ?? '');
    expect(expires - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(expires - Date.now()).toBeLessThan(61 * 60_000);

    const table = await kcl('list-users');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^NAME\s+GROUPS\s+CSR CREATED\s+CSR\s+CERTIFICATE EXPIRES\s+LAST RENEWAL\s+TOKEN LAST USED\s+CREDENTIAL ID$/,
    );
    expect(table.stdout).toMatch(
      new RegExp(
        `^${user.replace('.', '\\.')}\\s+qa,ops\\s+\\S+Z\\s+Issued\\s+\\S+Z \\(in \\S+\\)\\s+\\S+Z\\s+\\S+\\s+X509SHA256=[0-9a-f]{64}$`,
        'm',
      ),
    );
  });

  test('a non-admin kubeconfig gets one clear 403 line', async () => {
    const denied = await run(launcher, ['admin', 'list-users', '--users-namespace', namespace, '--kubeconfig', shortBundle]);
    expect(denied.code).toBe(11);
    expect(denied.stderr).toMatch(
      /^kube-csr-login: could not list the ServiceAccounts in namespace admin-e2e: permission denied \(403\): .*forbidden.*\n$/,
    );
  });
});

describe('admin remove-user', () => {
  test('removes the objects; the token stops working and list-users forgets the user', async () => {
    const removed = await kcl('remove-user', user);
    expect(removed.code).toBe(0);
    // --token-duration already deleted the Secret
    expect(removed.stdout).toContain(`not found Secret ${namespace}/${user}-token`);
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'])
      expect(removed.stdout).toMatch(new RegExp(`removed\\s+${kind} `));
    expect(removed.stdout).toContain(`certificates already issued to ${user} stay valid until they expire`);

    await expectUnauthorized(shortBundle);
    expect((await kcl('list-users')).stdout).toBe(`no kube-csr-login users in namespace ${namespace}\n`);
    const again = await kcl('remove-user', user);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/^\s+removed/m);
  });
});
