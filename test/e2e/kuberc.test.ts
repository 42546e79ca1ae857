// kubectl's credential plugin policy (kuberc credentialPluginPolicy / credentialPluginAllowlist), end to
// end: for each kuberc case, what `status` predicts for kubectl 1.35 and 1.36+ must be what the real
// kubectl v1.35.4, v1.36.3 and v1.37.2 do through the exec stanza setup wrote (run the plugin, refuse
// it, or reject the kuberc), and whether kubectl warns about the file. Three installs: the clone's
// launcher, a krew link (~/.krew/bin/kubectl-csr_login -> store/.../kube-csr-login) and an npm link
// (<prefix>/bin/kube-csr-login -> ../lib/node_modules/kube-csr-login/bin/kube-csr-login).
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { parse } from 'yaml';
import type { Outcome, Verdict } from '../../src/kuberc/verdict.js';
import { addUserArgs, cluster, launcher, repoRoot, run, tempDir } from './cluster.js';
import { type KubectlRelease, kubectlFor, kubectlReleases } from './kuberc/kubectl-versions.js';
import { approveContinuously } from './provision.js';

jest.setTimeout(300_000);

const user = 'kuberc.kim';
const namespace = 'kuberc-users';
const head = 'apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n';
const allowlist = (...entries: string[]) =>
  `${head}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n${entries.map((entry) => `- ${entry}\n`).join('')}`;

let dir: string;
let bundle: string;
let stopApproving: () => Promise<void>;
const kubectls: (KubectlRelease & { binary: string })[] = [];

interface Install {
  name: string;
  /** What the user runs, and so what setup writes as the exec command. */
  command: string;
  /** Where the link points (krew, npm). */
  target?: string;
  home: string;
  binDir?: string;
}

function envOf(install: Install, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: install.home,
    KUBECONFIG: path.join(install.home, '.kube', 'config'),
    KUBE_CSR_LOGIN_CONFIG_DIR: path.join(install.home, 'config'),
    KUBE_CSR_LOGIN_CACHE_DIR: path.join(install.home, 'cache'),
    PATH: '/usr/bin:/bin',
    KUBERC: '',
    KUBECTL_KUBERC: '',
    ...extra,
  };
}

async function makeInstall(name: 'clone' | 'krew' | 'npm'): Promise<Install> {
  const home = path.join(dir, `${name}-home`);
  await mkdir(path.join(home, '.kube'), { recursive: true });
  if (name === 'clone') return { name, command: launcher, home };
  if (name === 'krew') {
    // krew: bin/kubectl-csr_login -> store/csr-login/<version>/kube-csr-login (the unpacked archive)
    const store = path.join(home, '.krew', 'store', 'csr-login', 'v0.1.0');
    const binDir = path.join(home, '.krew', 'bin');
    await mkdir(store, { recursive: true });
    await mkdir(binDir, { recursive: true });
    await symlink(launcher, path.join(store, 'kube-csr-login'));
    await symlink(path.join(store, 'kube-csr-login'), path.join(binDir, 'kubectl-csr_login'));
    return { name, command: path.join(binDir, 'kubectl-csr_login'), target: path.join(store, 'kube-csr-login'), home, binDir };
  }
  // npm link: <prefix>/lib/node_modules/kube-csr-login -> the package, <prefix>/bin/kube-csr-login -> ../lib/...
  const prefix = path.join(home, '.npm-global');
  const binDir = path.join(prefix, 'bin');
  await mkdir(path.join(prefix, 'lib', 'node_modules'), { recursive: true });
  await mkdir(binDir, { recursive: true });
  await symlink(repoRoot, path.join(prefix, 'lib', 'node_modules', 'kube-csr-login'));
  await symlink('../lib/node_modules/kube-csr-login/bin/kube-csr-login', path.join(binDir, 'kube-csr-login'));
  return {
    name,
    command: path.join(binDir, 'kube-csr-login'),
    target: path.join(prefix, 'lib', 'node_modules', 'kube-csr-login', 'bin', 'kube-csr-login'),
    home,
    binDir,
  };
}

async function setUp(install: Install, args: string[] = [], extra: Record<string, string> = {}) {
  return run(install.command, ['setup', '--bundle', bundle, '--context-name', `kuberc-${install.name}`, ...args], {
    env: envOf(install, extra),
    input: '',
  });
}

/** What a real kubectl does: runs the plugin (and so authenticates), refuses it, or rejects the kuberc. */
function classify(result: { code: number; stdout: string; stderr: string }): string {
  if (result.code === 0 && result.stdout === user) return 'allowed';
  if (
    /not allowed: policy set to "DenyAll"|is not permitted by the credential plugin allowlist|cannot be resolved for credential plugin allowlist/.test(
      result.stderr,
    )
  )
    return 'denied';
  if (/error occurred while applying preferences|kuberc error/.test(result.stderr)) return 'kuberc-error';
  return `unexpected (exit ${result.code}): ${result.stderr.slice(0, 300)}`;
}

interface Row {
  kubectl: string;
  outcome: string;
  /** kubectl printed a kuberc warning (strict decoding, or no preferences loaded). */
  warned: boolean;
}

/** Writes the kuberc (or removes it), then asks status and every kubectl. Returns [predicted, actual]. */
async function compare(install: Install, kuberc: string | undefined, extra: Record<string, string> = {}): Promise<[Row[], Row[]]> {
  const file = extra.KUBERC || path.join(install.home, '.kube', 'kuberc');
  if (kuberc === undefined) await rm(file, { force: true });
  else await writeFile(file, kuberc);
  const env = envOf(install, extra);
  const status = await run(launcher, ['status', '-o', 'json'], { env });
  expect(status.stderr).toBe('');
  const verdicts: Verdict[] = JSON.parse(status.stdout).profiles[0].kubectl.verdicts;
  const predicted: Row[] = [];
  const actual: Row[] = [];
  for (const kubectl of kubectls) {
    const verdict = verdicts.find((v) => v.kubectl === kubectl.line);
    predicted.push({ kubectl: kubectl.version, outcome: verdict?.outcome ?? 'missing', warned: verdict?.warning !== undefined });
    const args = ['--context', `kuberc-${install.name}`, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'];
    const result = await run(kubectl.binary, args, { env });
    actual.push({
      kubectl: kubectl.version,
      outcome: classify(result),
      warned: /kuberc: (ignoring strict decoding error|no preferences loaded)/.test(result.stderr),
    });
  }
  return [predicted, actual];
}

const installs: Record<string, Install> = {};

beforeAll(async () => {
  // one at a time: a cold build of kubectl takes minutes of both cores
  for (const release of kubectlReleases) {
    const { binary, seconds } = await kubectlFor(release.version);
    if (seconds > 30) process.stderr.write(`kuberc e2e: kubectl ${release.version} took ${seconds} s to obtain\n`);
    kubectls.push({ ...release, binary });
  }
  for (const kubectl of kubectls) {
    const version = await run(kubectl.binary, ['version', '--client', '-o', 'json']);
    expect(JSON.parse(version.stdout).clientVersion.gitVersion).toBe(kubectl.version);
  }
  dir = await tempDir('kuberc');
  bundle = path.join(dir, 'kim.bundle');
  const added = await run(launcher, addUserArgs(user, 'devs', namespace, bundle));
  if (added.code !== 0) throw new Error(`admin add-user failed: ${added.stderr}`);
  stopApproving = approveContinuously(user);
  for (const name of ['clone', 'krew', 'npm'] as const) {
    const install = await makeInstall(name);
    const result = await setUp(install);
    if (result.code !== 0) throw new Error(`setup through the ${name} install failed: ${result.stderr}`);
    installs[name] = install;
  }
}, 60 * 60_000);

afterAll(async () => {
  await stopApproving?.();
  await run(launcher, ['admin', 'remove-user', user, '--users-namespace', namespace, '--kubeconfig', cluster.adminKubeconfig]);
});

const all = (outcome: Outcome): Outcome[] => [outcome, outcome, outcome];

describe('status predicts what kubectl 1.35.4, 1.36.3 and 1.37.2 do', () => {
  // four items each: jest passes `done` to a test function with more parameters than the row has items
  const cases: [string, (i: Install) => string | undefined, Outcome[], { kuberc?: string }][] = [
    ['no kuberc', () => undefined, all('allowed'), {}],
    ['DenyAll', () => `${head}credentialPluginPolicy: DenyAll\n`, all('denied'), {}],
    ['DenyAll in the file KUBERC names', () => `${head}credentialPluginPolicy: DenyAll\n`, all('denied'), { kuberc: 'named' }],
    ['Allowlist without us', () => allowlist('name: /usr/bin/true'), all('denied'), {}],
    ['Allowlist with us as name:', (i) => allowlist('name: /usr/bin/true', `name: ${i.command}`), all('allowed'), {}],
    [
      'Allowlist with us as command: (1.35 cannot read it)',
      (i) => allowlist(`command: ${i.command}`),
      ['kuberc-error', 'allowed', 'allowed'],
      {},
    ],
    ['Allowlist with us as both, same value', (i) => allowlist(`{name: ${i.command}, command: ${i.command}}`), all('allowed'), {}],
    [
      'name: us, command: another (1.36+ ignore the default file)',
      (i) => allowlist(`{name: ${i.command}, command: /usr/bin/true}`),
      all('allowed'),
      {},
    ],
    [
      'Allowlist with an empty list',
      () => `${head}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: []\n`,
      all('kuberc-error'),
      {},
    ],
    [
      'not a Preference (ignored, with a warning)',
      () => 'apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preferences\ncredentialPluginPolicy: DenyAll\n',
      all('allowed'),
      {},
    ],
  ];

  test.each(cases)('clone launcher: %s', async (_name, kuberc, expected, named) => {
    const install = installs.clone as Install;
    const env: Record<string, string> = named.kuberc ? { KUBERC: path.join(install.home, named.kuberc) } : {};
    const [predicted, actual] = await compare(install, kuberc(install), env);
    expect(actual).toEqual(predicted);
    expect(actual.map((row) => row.outcome)).toEqual(expected);
  });

  const linkCases: [string, (i: Install) => string, Outcome[], boolean][] = [
    ['the link path as name:', (i) => allowlist(`name: ${i.command}`), all('allowed'), false],
    ['the link path as command:', (i) => allowlist(`command: ${i.command}`), ['kuberc-error', 'allowed', 'allowed'], false],
    ['the link target (no symlink resolution)', (i) => allowlist(`name: ${i.target}`), all('denied'), false],
    ['the bare name, its bin dir on PATH', (i) => allowlist(`name: ${path.basename(i.command)}`), all('allowed'), true],
    ['the bare name, not on PATH', (i) => allowlist(`name: ${path.basename(i.command)}`), all('denied'), false],
  ];
  for (const name of ['krew', 'npm']) {
    test.each(linkCases)(`${name} link: %s`, async (_case, kuberc, expected, onPath) => {
      const install = installs[name] as Install;
      // setup wrote the link itself, not where it points, as the exec command
      const kubeconfig = parse(await readFile(path.join(install.home, '.kube', 'config'), 'utf8'));
      expect(kubeconfig.users.map((u: { user: { exec: { command: string } } }) => u.user.exec.command)).toEqual([install.command]);
      const env: Record<string, string> = onPath ? { PATH: `${install.binDir}:/usr/bin:/bin` } : {};
      const [predicted, actual] = await compare(install, kuberc(install), env);
      expect(actual).toEqual(predicted);
      expect(actual.map((row) => row.outcome)).toEqual(expected);
    });
  }
});

describe('setup', () => {
  test('under DenyAll: says kubectl refuses it, with the entry; --allow-in-kuberc adds it and every kubectl runs it', async () => {
    const install = installs.clone as Install;
    const file = path.join(install.home, '.kube', 'kuberc');
    const kuberc = `# mine\n${head}credentialPluginPolicy: DenyAll # no plugins\n`;
    const [, before] = await compare(install, kuberc);
    expect(before.map((row) => row.outcome)).toEqual(all('denied'));

    const refused = await setUp(install);
    expect(refused.code).toBe(0);
    const lines = refused.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^Got a certificate from .* as ${user.replace('.', '\\.')} .*, but kubectl refuses to run kube-csr-login: ${file} sets credentialPluginPolicy DenyAll\\.$`,
      ),
    );
    expect(refused.stdout).toContain(`  - name: ${launcher}\n`);
    expect(refused.stdout).toContain(`\`command: ${launcher}\``);
    expect(refused.stdout).not.toContain('Try: kubectl');

    const allowed = await setUp(install, ['--allow-in-kuberc']);
    expect(allowed.stderr).not.toContain('error');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^Logged in to /);
    expect(allowed.stdout).toContain(`kuberc ${file}: credentialPluginPolicy DenyAll -> Allowlist`);
    expect(allowed.stdout).toContain('Try: kubectl --context kuberc-clone auth whoami');
    expect(await readFile(file, 'utf8')).toBe(
      `# mine\n${head}credentialPluginPolicy: Allowlist # no plugins\ncredentialPluginAllowlist:\n  - name: ${launcher}\n`,
    );
    const [predicted, actual] = await compare(install, await readFile(file, 'utf8'));
    expect(actual).toEqual(predicted);
    expect(actual.map((row) => row.outcome)).toEqual(all('allowed'));
  });

  test('--allow-in-kuberc with a kuberc kubectl rejects: one error line, nothing written at all', async () => {
    const install: Install = { name: 'fresh', command: launcher, home: path.join(dir, 'fresh-home') };
    await mkdir(path.join(install.home, '.kube'), { recursive: true });
    const file = path.join(install.home, '.kube', 'kuberc');
    const kuberc = `${head}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: []\n`;
    await writeFile(file, kuberc);
    const result = await setUp(install, ['--allow-in-kuberc']);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^kube-csr-login: not editing ${file}: .*credentialPluginAllowlist is empty.*fix it by hand first$`),
      ),
    ]);
    expect(await readFile(file, 'utf8')).toBe(kuberc);
    expect(await readFile(path.join(install.home, '.kube', 'config'), 'utf8').catch(() => 'absent')).toBe('absent');
    expect(await readFile(path.join(install.home, 'config', 'profiles', 'default.json'), 'utf8').catch(() => 'absent')).toBe('absent');
  });
});
