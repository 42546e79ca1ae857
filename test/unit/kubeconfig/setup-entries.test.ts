// Kubeconfig edits by setup: other entries and comments kept, KUBECONFIG lists, idempotency,
// concurrent writers, lock timeout.
import { describe, expect, test } from '@jest/globals';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { withKubeconfigLock } from '../../../src/kubeconfig/lock.js';
import { kubeconfigFiles } from '../../../src/kubeconfig/paths.js';
import { execUserFields, removeSetupEntries, writeSetupEntries, type SetupEntries } from '../../../src/kubeconfig/setup-entries.js';
import { tempDir } from '../../helpers/temp-dirs.js';

const fixture = `# my clusters
apiVersion: v1
kind: Config
clusters:
- name: prod # keep me
  cluster:
    server: https://prod.example:6443
users:
- name: admin
  user:
    token: abc
contexts:
- name: prod-admin
  context: {cluster: prod, user: admin}
current-context: prod-admin
`;

const input: SetupEntries = {
  server: 'https://dev.example:6443',
  certificateAuthorityData: 'Q0E=',
  clusterName: 'dev',
  userName: 'jean.doe',
  useContext: false,
  exec: { command: '/opt/kcl/bin/kube-csr-login', profile: 'jean.doe', installHint: 'npm install -g kube-csr-login' },
};

async function temp(): Promise<string> {
  return tempDir('kcl-kubeconfig');
}

describe('writeSetupEntries', () => {
  test('adds entries, keeps others and comments, is idempotent, mode 0600', async () => {
    const dir = await temp();
    const file = join(dir, 'config');
    await writeFile(file, fixture, { mode: 0o644 });
    const result = await writeSetupEntries([file], { ...input, useContext: true });
    expect(result).toEqual({ cluster: 'dev', user: 'jean.doe@dev', context: 'jean.doe@dev', clusterAdded: true });
    const first = await readFile(file, 'utf8');
    expect(first).toContain('# my clusters');
    expect(first).toContain('# keep me');
    const doc: unknown = parse(first);
    expect(doc).toMatchObject({
      'current-context': 'jean.doe@dev',
      users: [
        { name: 'admin' },
        { name: 'jean.doe@dev', user: { exec: { args: ['get-credential', '--profile', 'jean.doe'], provideClusterInfo: true } } },
      ],
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await writeSetupEntries([file], { ...input, useContext: true });
    expect(await readFile(file, 'utf8')).toBe(first);
  });

  test('reuses a cluster with the same server', async () => {
    const dir = await temp();
    const file = join(dir, 'config');
    await writeFile(file, fixture);
    const result = await writeSetupEntries([file], { ...input, server: 'https://prod.example:6443' });
    expect(result.cluster).toBe('prod');
    expect(result.user).toBe('jean.doe@prod');
  });

  test('KUBECONFIG list: new entries to the first file, existing ones changed where defined', async () => {
    const dir = await temp();
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await writeFile(b, fixture.replace('https://prod.example:6443', input.server));
    const files = kubeconfigFiles({ env: `${a}:${b}`, home: dir });
    expect(files).toEqual([a, b]);
    await writeSetupEntries(files, { ...input, useContext: true });
    const docA: unknown = parse(await readFile(a, 'utf8'));
    const docB: unknown = parse(await readFile(b, 'utf8'));
    expect(docA).toMatchObject({ users: [{ name: 'jean.doe@prod' }], contexts: [{ name: 'jean.doe@prod' }] });
    expect(docB).toMatchObject({
      'current-context': 'jean.doe@prod',
      clusters: [{ name: 'prod', cluster: { 'certificate-authority-data': 'Q0E=' } }],
    });
  });

  test('two concurrent setups both land', async () => {
    const dir = await temp();
    const file = join(dir, 'config');
    await writeFile(file, fixture);
    await Promise.all([
      writeSetupEntries([file], input),
      writeSetupEntries([file], { ...input, userName: 'max', exec: { ...input.exec, profile: 'max' } }),
    ]);
    const doc: unknown = parse(await readFile(file, 'utf8'));
    expect(doc).toMatchObject({
      users: expect.arrayContaining([expect.objectContaining({ name: 'jean.doe@dev' }), expect.objectContaining({ name: 'max@dev' })]),
    });
  });

  test('lock timeout names the lock file', async () => {
    const dir = await temp();
    const file = join(dir, 'config');
    await writeFile(`${file}.lock`, '');
    await expect(withKubeconfigLock(file, async () => 1, { timeoutMs: 100 })).rejects.toThrow(`${file}.lock`);
  });

  test('removeSetupEntries drops user, context and the unused cluster', async () => {
    const dir = await temp();
    const file = join(dir, 'config');
    await writeFile(file, fixture);
    await writeSetupEntries([file], { ...input, useContext: true });
    await removeSetupEntries([file], 'jean.doe@dev', 'jean.doe@dev', 'dev');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('jean.doe');
    expect(text).not.toContain('dev.example');
    expect(text).toContain('# keep me');
  });

  test('removeSetupEntries leaves a missing file missing and empties the file it wrote', async () => {
    const dir = await temp();
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await writeSetupEntries([b], { ...input, useContext: true });
    await removeSetupEntries([a, b], 'jean.doe@dev', 'jean.doe@dev', 'dev');
    expect(await readdir(dir)).toEqual(['b']); // no a, no lock or temp files
    expect(parse(await readFile(b, 'utf8'))).toMatchObject({ clusters: [], users: [], contexts: [], 'current-context': '' });
  });
});

test('the Node setup ran with is recorded in the stanza env, where the launcher reads it without PATH', () => {
  const fields = execUserFields({
    command: '/prefix/bin/kube-csr-login',
    profile: 'default',
    installHint: 'hint',
    node: '/opt/node24/bin/node',
  });
  expect(fields).toMatchObject({
    exec: { command: '/prefix/bin/kube-csr-login', env: [{ name: 'KUBE_CSR_LOGIN_NODE', value: '/opt/node24/bin/node' }] },
  });
  expect(execUserFields({ command: '/prefix/bin/kube-csr-login', profile: 'default', installHint: 'hint' })).not.toHaveProperty('exec.env');
});
