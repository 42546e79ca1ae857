// Which kuberc kubectl reads, and its text, read with a size bound. kubectl (pkg/kuberc LoadKuberc,
// pkg/cmd/util KubeRC): KUBECTL_KUBERC=false (any case) or KUBERC=off turn kuberc off; else the
// --kuberc flag, else KUBERC, else <home>/.kube/kuberc. A file named by KUBERC is "explicit": kubectl
// then fails on any problem with it, where it only warns about (and ignores) the default file.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe } from '../errors.js';
import { errorCode, isNotFound } from '../util/files.js';

export type KubercLocation = { kind: 'off'; reason: string } | { kind: 'file'; file: string; explicit: boolean };

export interface KubercEnv {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** kubectl's working directory: a relative KUBERC resolves against it. */
  cwd: string;
}

export function locateKuberc({ env, platform, cwd }: KubercEnv): KubercLocation {
  if ((env.KUBECTL_KUBERC ?? '').toLowerCase() === 'false') return { kind: 'off', reason: 'KUBECTL_KUBERC=false' };
  if (env.KUBERC === 'off') return { kind: 'off', reason: 'KUBERC=off' };
  if (env.KUBERC) return { kind: 'file', file: path.resolve(cwd, env.KUBERC), explicit: true };
  return { kind: 'file', file: path.resolve(cwd, kubectlHome(env, platform), '.kube', 'kuberc'), explicit: false };
}

/**
 * client-go's homedir.HomeDir: HOME on Unix (unset: kubectl looks in ./.kube). On Windows the first of
 * HOME, USERPROFILE, HOMEDRIVE+HOMEPATH that is set; kubectl first prefers one that holds .kube\config.
 */
function kubectlHome(env: KubercEnv['env'], platform: NodeJS.Platform): string {
  if (platform !== 'win32') return env.HOME ?? '';
  const drivePath = env.HOMEDRIVE && env.HOMEPATH ? env.HOMEDRIVE + env.HOMEPATH : undefined;
  return env.HOME || env.USERPROFILE || drivePath || '';
}

/** Far above any real kuberc; a larger file is not read (and not judged). */
export const maxKubercBytes = 1024 * 1024;

export type KubercContent =
  { kind: 'missing' } | { kind: 'unreadable'; reason: string } | { kind: 'too-large'; bytes: number } | { kind: 'text'; text: string };

export async function readKuberc(file: string): Promise<KubercContent> {
  try {
    const stat = await fs.stat(file);
    // a FIFO or device would block or never end; kubectl could not use it either
    if (!stat.isFile()) return { kind: 'unreadable', reason: 'not a regular file' };
    if (stat.size > maxKubercBytes) return { kind: 'too-large', bytes: stat.size };
    const handle = await fs.open(file, 'r');
    try {
      const buffer = Buffer.alloc(maxKubercBytes + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > maxKubercBytes) return { kind: 'too-large', bytes: bytesRead };
      return { kind: 'text', text: buffer.subarray(0, bytesRead).toString('utf8') };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (isNotFound(error)) return { kind: 'missing' };
    return { kind: 'unreadable', reason: errorCode(error) ?? describe(error) };
  }
}
