// Clients other than client-go, each loading the kubeconfig `setup` wrote and authenticating through
// its exec stanza: the Python `kubernetes` client (PyPI; sends KUBERNETES_EXEC_INFO with the stanza's
// apiVersion and checks the answer's) and @kubernetes/client-node 2.x and 1.x (send none: the plugin
// answers with the stanza's apiVersion from its own default). Then, past the renewal deadline, which
// of them follow expirationTimestamp to the renewed certificate and which keep the first one. The
// cheap part of `npm run test:clients` (test/clients/matrix.ts: Java, Rust, helm, and past NotAfter).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { parse } from 'yaml';
import { cluster, repoRoot, run, sleep, tempDir } from './cluster.js';
import { type LineClient, startLineClient } from './clients/line-client.js';
import { pythonClientVersion, pythonWithKubernetesClient } from './clients/python-venv.js';
import { type LoggedInUser, loginWithSetup, startApprover } from './long-run/users.js';

jest.setTimeout(600_000);

const namespace = 'clients-users';
const name = 'clients.kim';
// Renewal 15 s after issue (35 % of the 900 s validity), so the test can step past the deadline.
const profile = { expirationSeconds: 600, renewWindow: [0.35, 0.35], recheckSeconds: 2 };
let approver: { stop: () => Promise<void> } | undefined;
let python: string;
let user: LoggedInUser;
const clients = new Map<string, LineClient>();

beforeAll(async () => {
  const dir = await tempDir('other-clients');
  const access = { adminKubeconfig: cluster.adminKubeconfig, kubectl: cluster.kubectl };
  approver = startApprover(access, namespace);
  [python, user] = await Promise.all([pythonWithKubernetesClient(), loginWithSetup(access, dir, name, namespace, profile)]);
});
afterAll(async () => {
  await Promise.all([...clients.values()].map((client) => client.close().catch(() => undefined)));
  await approver?.stop();
});

async function kubectlCredentialId(): Promise<string> {
  const whoami = await run(cluster.kubectl, ['--kubeconfig', user.kubeconfig, 'auth', 'whoami', '-o', 'json'], { env: user.env });
  if (whoami.code !== 0) throw new Error(`kubectl auth whoami failed: ${whoami.stderr}`);
  return JSON.parse(whoami.stdout).status.userInfo.extra['authentication.kubernetes.io/credential-id'][0];
}

test('Python and client-node 1.x and 2.x authenticate through the exec stanza setup wrote', async () => {
  // What a client that sends no KUBERNETES_EXEC_INFO (client-node) gets: the stanza's apiVersion.
  const stanza = parse(await readFile(user.kubeconfig, 'utf8')).users.find((u: { name: string }) => u.name.startsWith(`${name}@`)).user
    .exec;
  const bare = await run(stanza.command, stanza.args, { env: user.env });
  expect([bare.code, bare.stderr]).toEqual([0, '']);
  expect(JSON.parse(bare.stdout).apiVersion).toBe(stanza.apiVersion);

  const script = path.join(repoRoot, 'build/test/e2e/clients/whoami-client-node.js');
  clients.set('python', startLineClient(python, [path.join(repoRoot, 'test/e2e/clients/whoami.py'), user.kubeconfig], user.env));
  clients.set('client-node 2.x', startLineClient(process.execPath, [script, '@kubernetes/client-node', user.kubeconfig], user.env));
  clients.set('client-node 1.x', startLineClient(process.execPath, [script, 'client-node-1', user.kubeconfig], user.env));
  const first = new Map<string, string>();
  for (const [label, client] of clients) {
    const who = await client.ask();
    expect([label, who.username, who.groups]).toEqual([label, name, expect.arrayContaining(['devs', 'system:authenticated'])]);
    first.set(label, who.credentialId);
  }

  // Wait for a certificate newer than any of those: the deadline of each has passed by then (kubectl,
  // like any caller past a deadline, gets the old certificate and starts the renewal).
  const seen = new Set(first.values());
  const waitStart = Date.now();
  let renewed = await kubectlCredentialId();
  for (let i = 0; i < 120 && seen.has(renewed); i += 1) {
    await sleep(500);
    renewed = await kubectlCredentialId();
  }
  expect(seen.has(renewed)).toBe(false);

  const later = new Map<string, string>();
  for (const [label, client] of clients) later.set(label, (await client.ask()).credentialId);
  // client-node follows expirationTimestamp to the renewed certificate; the Python client keeps the
  // certificate it loaded (it refreshes only tokens): it gets 401 once that one's NotAfter passes.
  expect(later.get('python')).toBe(first.get('python'));
  for (const label of ['client-node 2.x', 'client-node 1.x']) expect([label, seen.has(later.get(label) ?? '')]).toEqual([label, false]);
  process.stderr.write(
    `other clients: after a renewal (${Math.round((Date.now() - waitStart) / 1000)} s), Python kubernetes==${pythonClientVersion} still used its first certificate; client-node 1.x and 2.x the renewed one\n`,
  );
});
