// The plain-text copy setup read (a login bundle, a --token-file): removed when asked, only while it is
// the same unchanged file; kept (and recorded for status) otherwise, with a warning naming the file.
// (Against the real control plane and a terminal: test/e2e/token-passphrase.test.ts, token-keyring.)
import { testTokenDeps } from '../../helpers/setup-deps.js';
import { kubectlWithoutKuberc } from '../../helpers/kubectl-environment.js';
import { expect, test } from '@jest/globals';
import { link, mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KclError } from '../../../src/errors.js';
import type { ApiClient } from '../../../src/kube/http.js';
import { readProfile } from '../../../src/profile/profile.js';
import { type SetupDeps, type SetupRequest, setup } from '../../../src/setup/setup.js';
import { readTokenInput } from '../../../src/setup/token-copy.js';
import { parseLoginBundle } from '../../../src/setup/login-input.js';
import { collectStatus } from '../../../src/status/collect-status.js';
import { renderStatusText } from '../../../src/status/render-status.js';
import { tempDir } from '../../helpers/temp-dirs.js';

const token = 'tok.en-123';
const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const bundleText = (value: string) =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    clusters: [
      { name: 'dev', cluster: { server: 'https://dev.example:6443', 'certificate-authority-data': Buffer.from(caPem).toString('base64') } },
    ],
    users: [{ name: 'u', user: { token: value } }],
    contexts: [{ name: 'c', context: { cluster: 'dev', user: 'u' } }],
  });

const client: ApiClient = {
  json: async (request) => {
    if (request.path.endsWith('selfsubjectreviews'))
      return { status: { userInfo: { username: 'system:serviceaccount:users:jean.doe', groups: ['system:serviceaccounts'] } } };
    if (request.path.endsWith('/serviceaccounts/jean.doe'))
      return { metadata: { name: 'jean.doe', namespace: 'users', uid: 'u1', annotations: { 'kube-csr-login.io/groups': 'devs' } } };
    throw new KclError('notFound', 'not found');
  },
  stream: async () => {
    throw new Error('no streams');
  },
};

async function harness(answer = false) {
  const dir = await tempDir('kcl-token-copy');
  const bundle = join(dir, 'Downloads', 'jean.doe.kubeconfig');
  await tempWrite(bundle, bundleText(token));
  const progress: string[] = [];
  const questions: string[] = [];
  const deps: SetupDeps = {
    configDir: join(dir, 'config'),
    kubeconfigFiles: [join(dir, 'kube', 'config')],
    exec: { command: '/opt/kcl/bin/kube-csr-login' },
    installHint: 'install kube-csr-login',
    kubectl: kubectlWithoutKuberc(dir),
    openTokenApi: () => client,
    firstLogin: async () => ({ username: 'jean.doe', groups: ['devs'], notAfter: new Date('2026-11-28T12:00:00Z') }),
    progress: (message) => progress.push(message),
    confirm: async (question) => {
      questions.push(question);
      return answer;
    },
    tokens: testTokenDeps(),
  };
  const run = async (extra: Partial<SetupRequest> = {}) => {
    const { text, input } = await readTokenInput(bundle, 'bundle');
    return setup(deps, { profile: 'default', login: parseLoginBundle(text, bundle), useContext: false, tokenInput: input, ...extra });
  };
  const status = async () =>
    collectStatus(
      {
        now: () => new Date('2026-11-01T00:00:00Z'),
        cacheDir: join(dir, 'cache'),
        configDir: deps.configDir,
        kubectl: kubectlWithoutKuberc(dir),
      },
      {},
    );
  return { dir, bundle, deps, progress, questions, run, status };
}

async function tempWrite(file: string, text: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, text, { mode: 0o600 });
}

const exists = (file: string) =>
  readFile(file).then(
    () => true,
    () => false,
  );

test('--remove-token-copy after --token-storage passphrase deletes the bundle read, records nothing', async () => {
  const h = await harness();
  const outcome = await h.run({ tokenStorage: 'passphrase', removeTokenCopy: true });
  expect(await exists(h.bundle)).toBe(false);
  expect(outcome.plainTextCopy).toBeUndefined();
  expect(h.questions).toEqual([]);
  expect(h.progress.join('\n')).toContain(`removed ${h.bundle} (unlinked`);
  expect((await readProfile(h.deps.configDir, 'default'))?.plainTextCopies).toBeUndefined();
  expect((await h.status())[0]?.plainTextCopies).toEqual([]);
});

test('asked at a terminal: yes removes the bundle; no keeps it, warns naming it, and status warns while it holds the token', async () => {
  const yes = await harness(true);
  await yes.run({ tokenStorage: 'passphrase' });
  expect(yes.questions).toEqual([
    `${yes.bundle} still holds the token in plain text (now kept encrypted with your passphrase). Remove it now? [y/N] `,
  ]);
  expect(await exists(yes.bundle)).toBe(false);

  const no = await harness(false);
  const outcome = await no.run({ tokenStorage: 'passphrase' });
  expect(await exists(no.bundle)).toBe(true);
  expect(outcome.plainTextCopy).toBe(no.bundle);
  expect(no.progress.join('\n')).toContain(`warning: ${no.bundle} still holds the token in plain text`);
  const [status] = await no.status();
  expect(status?.plainTextCopies).toEqual([no.bundle]);
  const text = renderStatusText(await no.status(), new Date('2026-11-01T00:00:00Z'));
  expect(text).toContain(`token copy   WARNING: ${no.bundle} still holds the token in plain text`);
  expect(text).not.toContain(token);
  // a bundle that now holds another token, or none, is no longer the copy
  await writeFile(no.bundle, bundleText('another.token'));
  expect((await no.status())[0]?.plainTextCopies).toEqual([]);
  await writeFile(no.bundle, bundleText(token));
  expect((await no.status())[0]?.plainTextCopies).toEqual([no.bundle]);
});

test('with --token-storage file the bundle is called a second plain-text copy', async () => {
  const h = await harness();
  await h.run({ tokenStorage: 'file', removeTokenCopy: false });
  expect(h.progress.join('\n')).toContain(
    `${h.bundle} holds a second plain-text copy of the token (the profile keeps its own in ${join(h.deps.configDir, 'profiles', 'default.token')})`,
  );
  const text = renderStatusText(await h.status(), new Date('2026-11-01T00:00:00Z'));
  expect(text).toContain(`WARNING: ${h.bundle} still holds a second plain-text copy of the token`);
});

test.each([
  {
    name: 'changed after setup read it',
    change: async (bundle: string) => writeFile(bundle, `${bundleText(token)}# edited\n`),
    why: 'it changed since setup read it',
  },
  {
    name: 'replaced by another file',
    change: async (bundle: string) => {
      await writeFile(`${bundle}.new`, bundleText(token));
      await rename(`${bundle}.new`, bundle);
    },
    why: 'it was replaced since setup read it',
  },
  {
    name: 'a second hard link to it',
    change: async (bundle: string) => link(bundle, `${bundle}.backup`),
    why: 'it has 1 other hard link(s), which would keep the token',
  },
])('a bundle $name is left in place and recorded', async ({ change, why }) => {
  const h = await harness();
  const { text, input } = await readTokenInput(h.bundle, 'bundle');
  await change(h.bundle);
  const outcome = await setup(h.deps, {
    profile: 'default',
    login: parseLoginBundle(text, h.bundle),
    useContext: false,
    tokenInput: input,
    tokenStorage: 'passphrase',
    removeTokenCopy: true,
  });
  expect(await exists(h.bundle)).toBe(true);
  expect(outcome.plainTextCopy).toBe(h.bundle);
  expect(h.progress.join('\n')).toContain(`and it was not removed: ${why}`);
  expect((await readProfile(h.deps.configDir, 'default'))?.plainTextCopies?.map((c) => c.file)).toEqual([h.bundle]);
});

test('a bundle named through a symbolic link is not removed (its target holds the token)', async () => {
  const h = await harness();
  const alias = join(h.dir, 'alias.kubeconfig');
  await symlink(h.bundle, alias);
  const { text, input } = await readTokenInput(alias, 'bundle');
  const login = parseLoginBundle(text, alias);
  await setup(h.deps, {
    profile: 'default',
    login,
    useContext: false,
    tokenInput: input,
    tokenStorage: 'passphrase',
    removeTokenCopy: true,
  });
  expect(await exists(h.bundle)).toBe(true);
  expect(h.progress.join('\n')).toContain('it is a symbolic link: remove the file it points to yourself');
});

test("a token read from the profile's own token file is no copy: it stays, nothing is asked", async () => {
  const h = await harness(true);
  await h.run({ tokenStorage: 'file', removeTokenCopy: false });
  const own = join(h.deps.configDir, 'profiles', 'default.token');
  const { text, input } = await readTokenInput(own, 'token-file');
  const login = { ...parseLoginBundle(bundleText(text.trim()), h.bundle) };
  const outcome = await setup(h.deps, { profile: 'default', login, useContext: false, tokenInput: input, removeTokenCopy: true });
  expect(await exists(own)).toBe(true);
  expect(outcome.plainTextCopy).toBeUndefined();
  // the bundle recorded by the first run is still known
  expect((await readProfile(h.deps.configDir, 'default'))?.plainTextCopies?.map((c) => c.file)).toEqual([h.bundle]);
});
