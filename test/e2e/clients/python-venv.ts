// The Python kubernetes client from PyPI, in a virtualenv cached outside the clone (one per Python
// version and pinned client version). The suite fails, never skips, when it cannot be installed.
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../cluster.js';

export const pythonClientVersion = '37.0.2';

/** The venv's python, with `kubernetes` importable. */
export async function pythonWithKubernetesClient(): Promise<string> {
  const version = await run('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
  if (version.code !== 0) {
    throw new Error(
      `the Python client test needs python3 with the venv module on PATH (apt-get install -y python3 python3-venv): ${version.stderr.trim() || 'python3 not found'}`,
    );
  }
  const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const venv = path.join(cacheRoot, 'kube-csr-login', 'python-clients', `py${version.stdout.trim()}-kubernetes-${pythonClientVersion}`);
  const python = path.join(venv, 'bin', 'python');
  if (existsSync(python) && (await run(python, ['-c', 'import kubernetes'])).code === 0) return python;

  const building = `${venv}.${process.pid}.tmp`;
  await rm(building, { recursive: true, force: true });
  const steps: Array<[string, string[]]> = [
    ['python3', ['-m', 'venv', building]],
    [path.join(building, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `kubernetes==${pythonClientVersion}`]],
  ];
  for (const [command, args] of steps) {
    const result = await run(command, args, { timeoutMs: 10 * 60_000 });
    if (result.code !== 0) {
      await rm(building, { recursive: true, force: true });
      throw new Error(
        `could not install the Python kubernetes client ${pythonClientVersion} (${path.basename(command)} ${args.join(' ')} exited ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
  }
  await rm(venv, { recursive: true, force: true });
  await rename(building, venv);
  return python;
}
