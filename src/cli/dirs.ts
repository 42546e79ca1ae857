// Cache and config directories. On Linux they are computed here exactly as env-paths does (XDG),
// because the POSIX launcher and the Node fast path must find the cache before anything else is
// loaded; elsewhere env-paths decides. KUBE_CSR_LOGIN_CACHE_DIR / _CONFIG_DIR override both.
import path from 'node:path';
import { linuxCacheDir } from '../cache/fast-path.js';

export interface Dirs {
  cacheDir: string;
  configDir: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const app = 'kube-csr-login';

export async function resolveDirs(env: Env, platform: NodeJS.Platform, home: string): Promise<Dirs> {
  if (platform === 'linux') {
    return {
      cacheDir: linuxCacheDir(env, home),
      configDir: env.KUBE_CSR_LOGIN_CONFIG_DIR || path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), app),
    };
  }
  const { default: envPaths } = await import('env-paths');
  const paths = envPaths(app, { suffix: '' });
  return {
    cacheDir: env.KUBE_CSR_LOGIN_CACHE_DIR || paths.cache,
    configDir: env.KUBE_CSR_LOGIN_CONFIG_DIR || paths.config,
  };
}
