// Shared by the keyring and passphrase suites: a user's own HOME (config, cache and kubeconfig in
// their XDG places), a scan of everything under it for a secret, and a cache entry moved past its
// renewal point.
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { launcher, run } from './cluster.js';

export function userEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    KUBECONFIG: path.join(home, '.kube', 'config'),
    ...extra,
  };
  for (const name of ['KUBE_CSR_LOGIN_CONFIG_DIR', 'KUBE_CSR_LOGIN_CACHE_DIR', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** Files under the given directories whose bytes contain the secret. */
export async function filesContaining(dirs: string[], secret: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries.filter((e) => e.isFile())) {
      const file = path.join(entry.parentPath, entry.name);
      if ((await readFile(file).catch(() => Buffer.alloc(0))).includes(secret)) found.push(file);
    }
  }
  return found;
}

/** Puts the cached certificate past its renewal point (still valid) and drops the launcher's file. */
export async function pastDeadline(home: string, profile = 'default'): Promise<string> {
  const dir = path.join(home, '.cache', 'kube-csr-login', profile);
  const file = path.join(dir, 'credential.json');
  const entry = JSON.parse(await readFile(file, 'utf8'));
  entry.renewAt = new Date(Date.now() - 60_000).toISOString();
  await writeFile(file, JSON.stringify(entry), { mode: 0o600 });
  await rm(path.join(dir, 'exec-credential'), { force: true });
  return entry.certificateChainPem;
}

export async function cachedCertificate(home: string, profile = 'default'): Promise<string> {
  return JSON.parse(await readFile(path.join(home, '.cache', 'kube-csr-login', profile, 'credential.json'), 'utf8')).certificateChainPem;
}

/** `admin add-user` with a login bundle holding a bound token of that lifetime; returns the token. */
export async function addUserWithBundle(user: string, bundle: string, tokenDuration: string, adminArgs: string[]): Promise<string> {
  const added = await run(launcher, [
    'admin',
    'add-user',
    user,
    '--groups',
    'devs',
    '--bundle',
    bundle,
    '--token-duration',
    tokenDuration,
    ...adminArgs,
  ]);
  if (added.code !== 0) throw new Error(`admin add-user failed: ${added.stderr}`);
  const token = /^\s+token: (\S+)$/m.exec(await readFile(bundle, 'utf8'))?.[1];
  if (!token) throw new Error('no token in the bundle');
  return token;
}
