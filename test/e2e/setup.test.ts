// setup end to end: the admin provisions a user with `admin add-user --bundle`, the user runs
// `setup --bundle` against kubeconfigs that already hold other clusters, users and comments, then
// the real kubectl uses the context setup wrote. Also: a KUBECONFIG list, running setup twice,
// concurrent runs, `status`, and `logout --forget`.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { parse } from 'yaml';
import { addUserArgs, cluster, launcher, run, tempDir } from './cluster.js';
import { approveContinuously } from './provision.js';

jest.setTimeout(240_000);

const user = 'setup.sam';
const namespace = 'setup-users';
let dir: string;
let bundle: string;
let stopApproving: () => Promise<void>;

const existing = `# my clusters (keep this comment)
apiVersion: v1
kind: Config
clusters:
- name: prod # production, keep
  cluster:
    server: https://prod.example:6443
users:
- name: admin
  user:
    token: not-a-real-token
contexts:
- name: prod-admin
  context: {cluster: prod, user: admin}
current-context: prod-admin
`;

function env(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KUBE_CSR_LOGIN_CONFIG_DIR: path.join(dir, name, 'config'),
    KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, name, 'cache'),
    KUBECONFIG: '',
    ...extra,
  };
}

const kcl = (args: string[], environment: Record<string, string>) => run(launcher, args, { env: environment, input: '' });
const kubectl = (args: string[], environment: Record<string, string>) => run(cluster.kubectl, args, { env: environment });

async function contextOf(environment: Record<string, string>, profile = 'default'): Promise<string> {
  const file = path.join(environment.KUBE_CSR_LOGIN_CONFIG_DIR ?? '', 'profiles', `${profile}.json`);
  return JSON.parse(await readFile(file, 'utf8')).kubeconfig.context;
}

beforeAll(async () => {
  dir = await tempDir('setup');
  bundle = path.join(dir, 'sam.bundle');
  const added = await kcl(addUserArgs(user, 'devs,ops', namespace, bundle), {});
  if (added.code !== 0) throw new Error(`admin add-user failed: ${added.stderr}`);
  stopApproving = approveContinuously(user);
});
afterAll(async () => {
  await stopApproving();
  await kcl(['admin', 'remove-user', user, '--users-namespace', namespace, '--kubeconfig', cluster.adminKubeconfig], {});
});

describe('setup --bundle', () => {
  test('keeps other clusters, users and comments; kubectl works with the new context; twice changes nothing', async () => {
    const e = env('kept');
    const kubeconfig = path.join(dir, 'kept.kubeconfig');
    await writeFile(kubeconfig, existing, { mode: 0o644 });
    const first = await kcl(['setup', '--bundle', bundle, '--kubeconfig', kubeconfig], e);
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`as ${user} (groups: devs, ops)`);
    const text = await readFile(kubeconfig, 'utf8');
    expect(text).toContain('# my clusters (keep this comment)');
    expect(text).toContain('# production, keep');
    const config = parse(text);
    expect(config['current-context']).toBe('prod-admin');
    expect(config.users.map((u: { name: string }) => u.name)).toContain('admin');
    expect((await stat(kubeconfig)).mode & 0o777).toBe(0o600);
    const context = await contextOf(e);
    const whoami = await kubectl(['--kubeconfig', kubeconfig, '--context', context, 'auth', 'whoami', '-o', 'json'], e);
    expect(whoami.stderr).toBe('');
    const info = JSON.parse(whoami.stdout).status.userInfo;
    expect(info.username).toBe(user);
    expect(info.groups).toEqual(expect.arrayContaining(['devs', 'ops']));

    const before = { text: await readFile(kubeconfig, 'utf8'), mtime: (await stat(kubeconfig)).mtimeMs };
    const second = await kcl(['setup', '--bundle', bundle, '--kubeconfig', kubeconfig], e);
    expect(second.code).toBe(0);
    expect(await readFile(kubeconfig, 'utf8')).toBe(before.text);
    expect((await stat(kubeconfig)).mtimeMs).toBe(before.mtime);

    const status = await kcl(['status', '-o', 'json'], e);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).profiles[0]).toMatchObject({
      name: 'default',
      user,
      groups: ['devs', 'ops'],
      certificate: { state: 'valid' },
    });

    const forget = await kcl(['logout', '--forget'], e);
    expect(forget.code).toBe(0);
    const after = await readFile(kubeconfig, 'utf8');
    expect(after).toContain('# production, keep');
    expect(after).not.toContain(user);
    const gone = await kubectl(['--kubeconfig', kubeconfig, '--context', context, 'auth', 'whoami'], e);
    expect(gone.code).not.toBe(0);
  });

  test('with a KUBECONFIG list: new entries in the first file, current-context where it is set', async () => {
    const first = path.join(dir, 'list-a.kubeconfig');
    const second = path.join(dir, 'list-b.kubeconfig');
    await writeFile(second, existing, { mode: 0o600 });
    const e = env('list', { KUBECONFIG: `${first}:${second}` });
    const result = await kcl(['setup', '--bundle', bundle, '--use-context'], e);
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    const a = parse(await readFile(first, 'utf8'));
    const b = parse(await readFile(second, 'utf8'));
    const context = await contextOf(e);
    expect(a.contexts.map((c: { name: string }) => c.name)).toEqual([context]);
    expect(b['current-context']).toBe(context);
    expect(b.clusters.map((c: { name: string }) => c.name)).toEqual(['prod']);
    const whoami = await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], e);
    expect(whoami.stdout).toBe(user);
  });

  test('concurrent runs on one kubeconfig all succeed and leave one set of entries', async () => {
    const kubeconfig = path.join(dir, 'concurrent.kubeconfig');
    await writeFile(kubeconfig, existing, { mode: 0o600 });
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => kcl(['setup', '--bundle', bundle, '--kubeconfig', kubeconfig], env('concurrent'))),
    );
    expect(results.map((r) => [r.code, r.stderr.includes('internal')])).toEqual(results.map(() => [0, false]));
    const config = parse(await readFile(kubeconfig, 'utf8'));
    expect(config.users.length).toBe(2);
    expect(config.contexts.length).toBe(2);
    expect(config.clusters.length).toBe(2);
  });

  test('a bad bundle or a revoked token: one line, nothing written', async () => {
    const e = env('bad');
    const kubeconfig = path.join(dir, 'bad.kubeconfig');
    const broken = path.join(dir, 'broken.bundle');
    await writeFile(broken, 'clusters: [oops', { mode: 0o600 });
    const result = await kcl(['setup', '--bundle', broken, '--kubeconfig', kubeconfig], e);
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const revoked = (await readFile(bundle, 'utf8')).replace(/^(\s+token: ).*$/m, '$1revoked-token');
    await writeFile(broken, revoked, { mode: 0o600 });
    const rejected = await kcl(['setup', '--bundle', broken, '--kubeconfig', kubeconfig], e);
    expect(rejected.code).toBe(10);
    expect(rejected.stderr).toContain('rejected the login token');
    await expect(stat(kubeconfig)).rejects.toThrow();
  });

  test('without an approver: the setup is kept and the message says the CSR awaits approval', async () => {
    const pending = 'setup.pending';
    const pendingBundle = path.join(dir, 'pending.bundle');
    const admin = ['--users-namespace', namespace, '--kubeconfig', cluster.adminKubeconfig];
    expect((await kcl(['admin', 'add-user', pending, '--groups', 'devs', '--bundle', pendingBundle, ...admin], {})).code).toBe(0);
    try {
      const e = env('pending');
      const kubeconfig = path.join(dir, 'pending.kubeconfig');
      const result = await kcl(['setup', '--bundle', pendingBundle, '--kubeconfig', kubeconfig, '--timeout', '3s'], e);
      expect(result.code).toBe(16);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /setup saved profile "default" .* but the first certificate failed: .*kubectl certificate approve user=setup\.pending/,
      );
      expect(parse(await readFile(kubeconfig, 'utf8')).users[0].name).toBe(`${pending}@${await contextOf(e).then((c) => c.split('@')[1])}`);
    } finally {
      await kcl(['admin', 'remove-user', pending, ...admin], {});
    }
  });
});
