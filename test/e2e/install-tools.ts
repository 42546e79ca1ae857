// Tools the install tests need, made once per machine in the cache outside the clone (like the
// control plane, test/cluster/build.sh), keyed by version: the oldest Node the package supports
// (npm package `node`) and krew (built from the Go module proxy). A second run takes seconds.
import { execFile } from 'node:child_process';
import { access, mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** package.json engines: >=22.19. Installing exactly that proves the lower bound. */
export const oldestNodeVersion = '22.19.0';
/** The newest krew the Go module proxy serves (v0.4.4 and later are not on it). */
const krewVersion = 'v0.4.3';

const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kube-csr-login');

function exec(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${error.code ?? error.signal}): ${stderr.slice(-2000)}`));
        else resolve(stdout);
      },
    );
  });
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Builds `dir` in a private temp sibling and renames it into place: a killed build leaves no half tool. */
async function cached(dir: string, ready: (dir: string) => Promise<boolean>, make: (tmp: string) => Promise<void>): Promise<string> {
  if (await ready(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await make(tmp);
    if (!(await ready(tmp))) throw new Error(`${tmp} was made but does not work`);
    if (await ready(dir)) return dir; // another test file made it meanwhile, and may be using it
    await rm(dir, { recursive: true, force: true }); // a broken leftover
    await rename(tmp, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** Directory holding `node` v22.19.0 (from the npm registry; installed with its install script allowed). */
export async function oldestNodeBin(): Promise<string> {
  const node = (dir: string) => path.join(dir, 'node_modules', '.bin', 'node');
  const dir = await cached(
    path.join(cacheRoot, 'node', oldestNodeVersion),
    async (d) => (await exists(node(d))) && (await exec(node(d), ['--version']).catch(() => '')).trim() === `v${oldestNodeVersion}`,
    async (tmp) => {
      // the `node` package installs the binary from its preinstall script, which npm runs only when allowed
      await writeFile(path.join(tmp, 'package.json'), JSON.stringify({ private: true, allowScripts: { node: true } }));
      await exec('npm', ['install', '--no-audit', '--no-fund', '--save-exact', `node@${oldestNodeVersion}`], { cwd: tmp });
    },
  );
  return path.dirname(await realpath(node(dir)));
}

/** `kubectl-krew` (so that `kubectl krew` finds it on PATH), built with the machine's Go. */
export async function krewBin(): Promise<string> {
  const goVersion = (
    await exec('go', ['env', 'GOVERSION']).catch(() => {
      throw new Error('the krew test builds krew from the Go module proxy and needs Go (as the control plane does): install Go >= 1.24');
    })
  ).trim();
  const binary = (dir: string) => path.join(dir, 'kubectl-krew');
  const dir = await cached(
    path.join(cacheRoot, 'krew', `${krewVersion}-${goVersion}`),
    (d) => exists(binary(d)),
    async (tmp) => {
      const env = { ...process.env, GOBIN: tmp, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
      await exec('go', ['install', '-trimpath', '-ldflags=-s -w', `sigs.k8s.io/krew/cmd/krew@${krewVersion}`], { env, timeoutMs: 900_000 });
      await rename(path.join(tmp, 'krew'), binary(tmp));
    },
  );
  return dir;
}
