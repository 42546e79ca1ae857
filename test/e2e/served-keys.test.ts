// What every client reads: the exec stanza setup wrote answers with an ECDSA key as SEC1 `EC PRIVATE
// KEY` (fabric8 reads an exec plugin's PKCS#8 key as RSA and fails) and an RSA key as PKCS#8, on a
// fresh issue, from the sh fast path, from the Node cache path, from an entry an older version cached
// as PKCS#8 (with its v2 fast path file), and past the renewal deadline while a background renewal
// starts. And nothing on stderr on any of them: fabric8 merges stderr into the JSON it parses.
import { createPrivateKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { cluster, launcher, run, sleep, tempDir } from './cluster.js';
import { keyLabel, runStanza } from './clients/stanza.js';
import { type LoggedInUser, loginWithSetup, startApprover } from './long-run/users.js';

jest.setTimeout(300_000);

const namespace = 'served-keys-users';
// Renewal 24 s after issue (36 % of the 900 s validity): the steps before it see a fresh certificate.
const profile = { expirationSeconds: 600, renewWindow: [0.36, 0.36], recheckSeconds: 2 };
let dir: string;
let approver: { stop: () => Promise<void> } | undefined;

beforeAll(async () => {
  dir = await tempDir('served-keys');
  approver = startApprover({ adminKubeconfig: cluster.adminKubeconfig, kubectl: cluster.kubectl }, namespace);
});
afterAll(async () => {
  await approver?.stop();
});

const access = () => ({ adminKubeconfig: cluster.adminKubeconfig, kubectl: cluster.kubectl });
const files = (user: LoggedInUser) => {
  const profileDir = path.join(user.env.KUBE_CSR_LOGIN_CACHE_DIR ?? '', 'default');
  return { credential: path.join(profileDir, 'credential.json'), fastPath: path.join(profileDir, 'exec-credential') };
};

/** One run of the stanza: it succeeds, prints nothing on stderr, and the key has the label. */
async function served(user: LoggedInUser, label: string): Promise<string> {
  const answer = await runStanza(user);
  expect([answer.code, answer.stderr, keyLabel(answer.stdout)]).toEqual([0, '', label]);
  return JSON.parse(answer.stdout).status.clientKeyData;
}

describe('ECDSA (the default)', () => {
  let user: LoggedInUser;
  beforeAll(async () => {
    user = await loginWithSetup(access(), dir, 'keys.ec', namespace, profile);
  });

  test('a fresh issue, the sh fast path and the Node cache path all serve SEC1, silently', async () => {
    const logout = await run(launcher, ['logout'], { env: user.env });
    expect(logout.code).toBe(0);
    const fresh = await served(user, 'EC PRIVATE KEY');
    expect(createPrivateKey(fresh).asymmetricKeyType).toBe('ec');
    const fastPath = await readFile(files(user).fastPath, 'utf8');
    expect(fastPath.startsWith('kube-csr-login-fast-path-v3\n')).toBe(true);
    expect(fastPath).toContain('-----BEGIN EC PRIVATE KEY-----');
    expect(await served(user, 'EC PRIVATE KEY')).toBe(fresh); // the sh launcher's answer
    await writeFile(files(user).fastPath, ''); // no fast path: Node reads and checks the cache
    expect(await served(user, 'EC PRIVATE KEY')).toBe(fresh);
    const whoami = await run(cluster.kubectl, ['--kubeconfig', user.kubeconfig, 'auth', 'whoami', '-o', 'name'], { env: user.env });
    expect([whoami.code, whoami.stderr]).toEqual([0, '']);
  });

  test('an entry and a v2 fast path file written as PKCS#8 by an older version are served as SEC1', async () => {
    const entry = JSON.parse(await readFile(files(user).credential, 'utf8'));
    const sec1 = entry.privateKeyPem;
    entry.privateKeyPem = createPrivateKey(sec1).export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(files(user).credential, JSON.stringify(entry), { mode: 0o600 });
    const current = await readFile(files(user).fastPath, 'utf8');
    const v2 = current
      .replace('kube-csr-login-fast-path-v3', 'kube-csr-login-fast-path-v2')
      .replaceAll(JSON.stringify(sec1).slice(1, -1), JSON.stringify(entry.privateKeyPem).slice(1, -1));
    expect(v2).toContain('-----BEGIN PRIVATE KEY-----');
    await writeFile(files(user).fastPath, v2, { mode: 0o600 });
    expect(await served(user, 'EC PRIVATE KEY')).toBe(sec1);
    expect(await readFile(files(user).fastPath, 'utf8')).toContain('kube-csr-login-fast-path-v3\n');
  });

  test('past the renewal deadline: the old certificate at once, a background renewal, both silent', async () => {
    const first = await readFile(files(user).credential, 'utf8');
    const renewAt = new Date(JSON.parse(first).renewAt).getTime();
    await sleep(Math.max(0, renewAt - Date.now() + 1000));
    await served(user, 'EC PRIVATE KEY'); // starts the background renewal
    let renewed = first;
    for (let i = 0; i < 150 && renewed === first; i += 1) {
      await sleep(200);
      renewed = await readFile(files(user).credential, 'utf8');
    }
    expect(renewed).not.toBe(first);
    expect(await served(user, 'EC PRIVATE KEY')).toBe(JSON.parse(renewed).privateKeyPem);
  });
});

test('an RSA profile is served as PKCS#8 PRIVATE KEY, silently', async () => {
  const user = await loginWithSetup(access(), dir, 'keys.rsa', namespace, { ...profile, keyAlgorithm: 'rsa-2048' });
  const key = await served(user, 'PRIVATE KEY');
  expect(createPrivateKey(key).asymmetricKeyType).toBe('rsa');
});
