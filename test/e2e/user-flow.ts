// The whole life of a user, run with an INSTALLED kube-csr-login (npm tarball, krew, release
// archive) on a clean HOME against the real control plane: the admin adds the user with a bundle
// and runs the approver, the user runs setup, kubectl authenticates through the exec stanza setup
// wrote, a certificate is renewed (blocking, then in the background), status, logout --forget.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from '@jest/globals';
import { parse } from 'yaml';
import { addUserArgs, cluster, repoRoot, type Run, run, type RunOptions, sleep } from './cluster.js';

export interface Installed {
  /** How a user starts it, e.g. ['/prefix/bin/kube-csr-login'] or [kubectl, 'csr-login']. */
  command: string[];
  /** The command setup must write into the exec stanza (a stable name, not a versioned target). */
  stanzaCommand: string;
  /** The user's whole environment: a clean HOME and a PATH with the Node (if any) to use. */
  env: Record<string, string>;
  /** Whether setup ran with Node (not the single executable): it records that Node in the stanza. */
  withNode: boolean;
}

/** The Node that PATH finds in the user's environment, as setup sees itself (process.execPath). */
async function nodeOnPath(env: Record<string, string>): Promise<string> {
  const result = await run('node', ['-p', 'process.execPath'], { env, inheritEnv: false });
  if (result.code !== 0) throw new Error(`node -p process.execPath failed: ${result.stderr}`);
  return result.stdout.trim();
}

export function kcl(installed: Installed, args: string[]) {
  const [command = '', ...leading] = installed.command;
  return run(command, [...leading, ...args], { env: installed.env, inheritEnv: false, input: '' });
}

async function must(installed: Installed, args: string[]): Promise<string> {
  const result = await kcl(installed, args);
  if (result.code !== 0) throw new Error(`kube-csr-login ${args[0]} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** Runs the installed approver for the users of `namespace` until the returned stop function. */
function startApprover(installed: Installed, namespace: string): () => Promise<string> {
  const [command = '', ...leading] = installed.command;
  const args = [
    ...leading,
    'approver',
    '--kubeconfig',
    cluster.adminKubeconfig,
    '--users-namespace',
    namespace,
    '--metrics-addr',
    '127.0.0.1:0',
    '--no-leader-elect',
  ];
  const child = spawn(command, args, { env: installed.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    child.kill('SIGKILL');
    return log;
  };
}

const certificateOf = async (cacheFile: string) => JSON.parse(await readFile(cacheFile, 'utf8')).certificateChainPem as string;

export async function userFlow(installed: Installed, user: string, namespace: string): Promise<void> {
  const home = installed.env.HOME ?? '';
  const kubectl = (...args: string[]) => run(cluster.kubectl, args, { env: installed.env, inheritEnv: false });
  const bundle = path.join(home, `${user}.bundle`);
  await must(installed, addUserArgs(user, 'devs', namespace, bundle));
  const stopApprover = startApprover(installed, namespace);
  try {
    const setup = await kcl(installed, ['setup', '--bundle', bundle, '--use-context']);
    expect(setup.stderr).not.toMatch(/error/i);
    expect(setup.stdout).toContain(`as ${user} (groups: devs)`);
    expect(setup.code).toBe(0);

    const config = parse(await readFile(path.join(home, '.kube', 'config'), 'utf8'));
    expect(config.users[0].user.exec.command).toBe(installed.stanzaCommand);
    // the runtime setup ran with, where the launcher finds it without PATH (docs/runtime.md)
    const recorded = installed.withNode ? [{ name: 'KUBE_CSR_LOGIN_NODE', value: await nodeOnPath(installed.env) }] : undefined;
    expect(config.users[0].user.exec.env).toEqual(recorded);
    const whoami = await kubectl('auth', 'whoami', '-o', 'json');
    expect(whoami.stderr).toBe('');
    expect(JSON.parse(whoami.stdout).status.userInfo).toMatchObject({ username: user, groups: expect.arrayContaining(['devs']) });

    // Renewal: certificates issued from now on are due at once (renewal window 0.01 %), the cache is
    // dropped, so kubectl's next call renews blocking and the one after renews in the background
    // (the installed program starting itself again, detached).
    const profileFile = path.join(home, '.config', 'kube-csr-login', 'profiles', 'default.json');
    const profile = JSON.parse(await readFile(profileFile, 'utf8'));
    await writeFile(profileFile, JSON.stringify({ ...profile, renewWindow: [0.0001, 0.0001] }), { mode: 0o600 });
    await must(installed, ['logout']);
    const cacheFile = path.join(home, '.cache', 'kube-csr-login', 'default', 'credential.json');
    const blocking = await kubectl('auth', 'whoami');
    expect(blocking.stderr).toBe('');
    expect(blocking.stdout).toContain(user);
    const renewed = await certificateOf(cacheFile);
    expect((await kubectl('auth', 'whoami')).stdout).toContain(user);
    let background = renewed;
    for (let i = 0; i < 100 && background === renewed; i += 1) {
      await sleep(200);
      background = await certificateOf(cacheFile).catch(() => renewed);
    }
    expect(background).not.toBe(renewed);

    // As a desktop app starts kubectl (macOS's Dock or Finder: /usr/bin:/bin, where this machine has
    // an older Node; some launchers: no PATH at all): a blocking renewal, then a background one.
    for (const desktop of [{ PATH: '/usr/bin:/bin' }, {}]) {
      const env = { HOME: home, ...desktop };
      const app = (...args: string[]) => run(cluster.kubectl, args, { env, inheritEnv: false });
      await must(installed, ['logout']);
      const first = await app('auth', 'whoami');
      expect({ what: `blocking renewal with ${JSON.stringify(desktop)}`, stderr: first.stderr, code: first.code }).toMatchObject({
        stderr: '',
        code: 0,
      });
      expect(first.stdout).toContain(user);
      const issued = await certificateOf(cacheFile);
      expect((await app('auth', 'whoami')).stdout).toContain(user);
      let next = issued;
      for (let i = 0; i < 100 && next === issued; i += 1) {
        await sleep(200);
        next = await certificateOf(cacheFile).catch(() => issued);
      }
      expect({ what: `background renewal with ${JSON.stringify(desktop)}`, renewed: next !== issued }).toEqual({
        what: `background renewal with ${JSON.stringify(desktop)}`,
        renewed: true,
      });
    }
    // a client that sends no KUBERNETES_EXEC_INFO (the stanza's command and env, nothing else)
    const stanza = config.users[0].user.exec;
    const stanzaEnv = Object.fromEntries(((stanza.env ?? []) as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    const bare = await run(stanza.command, stanza.args, { env: { HOME: home, ...stanzaEnv }, inheritEnv: false });
    expect({ code: bare.code, stderr: bare.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(bare.stdout)).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { clientCertificateData: expect.any(String) },
    });

    const status = await must(installed, ['status']);
    expect(status).toContain(user);
    await must(installed, ['logout', '--forget']);
    const after = parse(await readFile(path.join(home, '.kube', 'config'), 'utf8')) ?? {};
    expect(JSON.stringify(after.users ?? [])).not.toContain(user);
    expect((await must(installed, ['status'])).trim()).toMatch(/^no profiles/);
  } finally {
    await stopApprover();
    await kcl(installed, ['admin', 'remove-user', user, '--users-namespace', namespace, '--kubeconfig', cluster.adminKubeconfig]);
  }
}

/** Runs a command line exactly as docs/install.md shows it (and fails if that page does not show it),
 * optionally under a wrapper such as `unshare -n`. */
export async function asInstallPageSays(line: string, options: RunOptions, wrapper: string[] = []): Promise<Run> {
  expect(await readFile(path.join(repoRoot, 'docs', 'install.md'), 'utf8')).toContain(line);
  const [command = 'sh', ...args] = [...wrapper, 'sh', '-c', line];
  return run(command, args, options);
}

/** What a user's environment keeps from this machine: how it reaches the network (npm's registry
 * behind a TLS proxy needs the CA bundle; -g with another prefix no longer reads /usr/etc/npmrc). */
export function machineEnv(): Record<string, string> {
  const keep = /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY)$/;
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => keep.test(e[0]) && e[1] !== undefined));
}

/** A clean HOME for one installed copy: nothing from the developer's own config leaks in. */
export async function cleanHome(dir: string): Promise<string> {
  const home = path.join(dir, 'home');
  await mkdir(home, { recursive: true });
  return home;
}
