// Server faults against the real control plane, the part test/e2e/faults.test.ts (gone, silent and
// slow API servers) does not cover: once a user's
// RBAC is removed, a still-valid cached certificate past its renewal point keeps being served while
// the detached background renewal fails with 403, records a back-off and is not retried on the
// following kubectl calls (no new CSR, no new attempt: no retry storm); once the certificate has
// expired the call fails with the back-off's one-liner, then with the live 403 naming the missing
// permission, nothing on stdout. (A revoked token is covered by plugin.test.ts.)
import { X509Certificate } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { exitCodes } from '../../src/errors.js';
import { type Run, admin, cluster, launcher, run, sleep, tempDir } from './cluster.js';
import { expiredCopy } from './expired-certificate.js';
import { type ProvisionedUser, approveContinuously, provisionUser } from './provision.js';
import { pluginArgs } from '../helpers/plugin-args.js';

jest.setTimeout(240_000);

const namespace = 'faults-users'; // shared with faults.test.ts (different user)

let dir: string;
let rbacUser: ProvisionedUser;
let stopApproving: () => Promise<void>;

beforeAll(async () => {
  dir = await tempDir('server-faults');
  rbacUser = await provisionUser(dir, 'faults.rbac', ['devs'], namespace); // faults.test.ts uses faults.user
  stopApproving = approveContinuously(rbacUser.name);
});
afterAll(async () => {
  await stopApproving();
});

// ---- running the plugin -----------------------------------------------------------------------

function getCredential(user: ProvisionedUser, cacheName: string, extra: string[]): Promise<Run> {
  const args = pluginArgs(
    { server: cluster.server, caFile: cluster.caFile, tokenFile: user.tokenFile, user: user.name, groups: user.groups },
    ...extra,
  );
  const env = { KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, cacheName), KUBE_CSR_LOGIN_CONFIG_DIR: path.join(dir, 'config') };
  return run(launcher, args, { env, timeoutMs: 120_000 });
}

/** The error contract: nothing on stdout, exactly one stderr line without a stack trace. */
function expectOneLineFailure(result: Run, code: number, pattern: RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
  expect(result.stderr).toMatch(/^kube-csr-login: [^\n]+\n$/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).toMatch(pattern);
}

function credentialOf(stdout: string): { cert?: string; key?: string } {
  const status = (JSON.parse(stdout) as { status?: { clientCertificateData?: string; clientKeyData?: string } }).status;
  return { cert: status?.clientCertificateData, key: status?.clientKeyData };
}

function subjectOf(stdout: string): string {
  const doc: unknown = JSON.parse(stdout);
  const data = (doc as { status?: { clientCertificateData?: string } }).status?.clientCertificateData ?? '';
  return new X509Certificate(data).subject.split('\n').sort().join(',');
}

// ---- the tests --------------------------------------------------------------------------------

describe('RBAC removed', () => {
  const cacheName = 'cache-rbac';
  const files = () => {
    const profileDir = path.join(dir, cacheName, 'default');
    return {
      credential: path.join(profileDir, 'credential.json'),
      fastPath: path.join(profileDir, 'exec-credential'),
      backoff: path.join(profileDir, 'backoff.json'),
      log: path.join(profileDir, 'background.log'),
    };
  };
  // A 600 s certificate renewed at 1 % of its lifetime: past its renewal point as soon as it arrives.
  const shortLived = ['--expiration', '600s', '--renew-window', '1', '--timeout', '60s'];
  const call = () => getCredential(rbacUser, cacheName, shortLived);

  test('a still-valid certificate keeps being served while the background renewal fails, once', async () => {
    const first = await call();
    expect([first.code, first.stderr]).toEqual([0, '']);
    const csrUid = () => admin('get', 'csr', `user=${rbacUser.name}`, '--ignore-not-found', '-o', 'jsonpath={.metadata.uid}');
    const uidBefore = await csrUid();
    await admin('delete', 'clusterrolebinding', `user=${rbacUser.name}`);
    const as = `system:serviceaccount:${namespace}:${rbacUser.name}`;
    for (let i = 0; i < 50; i += 1) {
      const canI = await run(cluster.kubectl, [
        '--kubeconfig',
        cluster.adminKubeconfig,
        'auth',
        'can-i',
        'get',
        'certificatesigningrequests',
        `--as=${as}`,
      ]);
      if (canI.stdout.trim() === 'no') break;
      await sleep(100);
    }
    const served = await call();
    expect([served.code, served.stderr]).toEqual([0, '']);
    expect(credentialOf(served.stdout)).toEqual(credentialOf(first.stdout));
    // The detached renewal fails with 403, records a back-off, then logs its error line and exits.
    let [backoff, log] = ['', ''];
    for (let i = 0; i < 150 && !(backoff !== '' && /permission denied \(403\)/.test(log)); i += 1) {
      await sleep(200);
      backoff = await readFile(files().backoff, 'utf8').catch(() => '');
      log = await readFile(files().log, 'utf8').catch(() => '');
    }
    expect(JSON.parse(backoff)).toMatchObject({ code: 'forbidden' });
    expect(log).toMatch(/permission denied \(403\)/);
    // More kubectl calls: still served, and no new renewal attempt while backing off (a start
    // marks the log before the detached process runs).
    for (let i = 0; i < 5; i += 1) {
      const again = await call();
      expect([again.code, again.stderr]).toEqual([0, '']);
      expect(subjectOf(again.stdout)).toBe(`CN=${rbacUser.name},O=devs`);
    }
    expect(await readFile(files().log, 'utf8')).toBe(log);
    expect(await csrUid()).toBe(uidBefore); // no CSR was created (or replaced) after the RBAC removal
  });

  test('once the certificate has expired, the next call fails with the 403 one-liner and nothing on stdout', async () => {
    const entry: unknown = JSON.parse(await readFile(files().credential, 'utf8'));
    await writeFile(files().credential, JSON.stringify(await expiredCopy(entry as Parameters<typeof expiredCopy>[0])), { mode: 0o600 });
    await writeFile(files().fastPath, ''); // drop the launcher's fast path
    // During the back-off: the recorded 403, without a request.
    const backingOff = await call();
    expectOneLineFailure(backingOff, exitCodes.forbidden, /permission denied \(403\).*not retrying before/);
    // After the back-off (removed here): a live 403 from the API server, naming the permission.
    await writeFile(files().backoff, '');
    const live = await call();
    expectOneLineFailure(
      live,
      exitCodes.forbidden,
      /^kube-csr-login: permission denied \(403\): .*cannot (get|create) resource "certificatesigningrequests"/,
    );
    expect(live.stderr).not.toContain(rbacUser.token);
    expect((await stat(files().backoff)).size).toBeGreaterThan(0); // backing off again
  });
});
