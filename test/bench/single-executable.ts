// Part 12: what the single executable (release archive, linux-x64) costs at start-up, side by side
// with the project's Node 24 running the same bundled file, on a cache miss: get-credential on an
// empty cache dir up to its first API request (key generated and saved, then the server at
// 127.0.0.1:1 refuses: exit 12), so no server time hides the difference. Also the bundled file
// against the npm package's layout (the same Node), the price of "one file".
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, realpath, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/cluster.js';
import { createCa } from '../helpers/pki.js';
import { log, results } from './results.js';
import { interleave, timed } from './stats.js';
import { pluginArgs } from '../helpers/plugin-args.js';

const sh = (command: string, args: string[]) =>
  new Promise<void>((resolve, reject) =>
    execFile(command, args, { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 }, (error, _out, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')}: ${stderr.slice(-500)}`)) : resolve(),
    ),
  );

/** The release archive of this checkout, unpacked: its bin/ directory. */
async function unpackedRelease(dir: string): Promise<string> {
  await sh(process.execPath, [path.join(repoRoot, 'scripts/release.js'), '--out', dir]);
  const version = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')).version;
  await sh('tar', ['-xzf', path.join(dir, `kube-csr-login-${version}-${process.platform}-${process.arch}.tar.gz`), '-C', dir]);
  return path.join(dir, 'bin');
}

export async function seaStartVsNodeBundle(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kcl-bench-sea-'));
  log('building the release archive (npm run release)');
  const bin = await unpackedRelease(dir);
  const node = await realpath(path.join(repoRoot, 'node_modules/.bin/node'));
  const tokenFile = path.join(dir, 'token');
  await writeFile(tokenFile, 'bench-token', { mode: 0o600 });
  const caFile = path.join(dir, 'ca.crt');
  await writeFile(caFile, (await createCa('bench-sea-ca')).certificatePem);
  // the token goes only to a --server given with its --certificate-authority
  const args = pluginArgs({ server: 'https://127.0.0.1:1', caFile, tokenFile, user: 'bench', groups: 'devs' });
  let run = 0;
  const miss = async (command: string, argv: string[]) => {
    run += 1; // a fresh cache dir each time: a true miss, no key left by the previous run
    const env = {
      HOME: dir,
      PATH: '/usr/bin:/bin',
      KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, `cache-${run}`),
      KUBE_CSR_LOGIN_CONFIG_DIR: path.join(dir, 'config'),
    };
    const r = await timed(command, [...argv, ...args], env);
    if (r.code !== 12) throw new Error(`${path.basename(command)} exited ${r.code}, expected 12 (unreachable): ${r.stderr.slice(0, 300)}`);
    return r.ms;
  };
  const sea = () => miss(path.join(bin, 'kube-csr-login-sea'), []);
  const bundle = () => miss(node, [path.join(bin, 'kube-csr-login.cjs')]);
  const npmLayout = () => miss(node, [path.join(repoRoot, 'bin/kube-csr-login.cjs')]);
  await sea(); // warm the page cache for the 130 MB file
  const r = await interleave(20, sea, bundle);
  const l = await interleave(20, bundle, npmLayout);
  Object.assign(results.raw, { seaMissMs: r.a, nodeBundleMissMs: r.b, nodeBundleMissMs2: l.a, npmLayoutMissMs: l.b });
  const note = 'get-credential, empty cache, up to the first API request (refused: exit 12), 20 runs each';
  results.rows.push({
    figure: 'seaStartVsNodeBundle',
    ours: r.a,
    reference: r.b,
    unit: 'ms',
    target: null,
    note: `(single executable vs ${path.basename(node)} ${process.version} on bin/kube-csr-login.cjs of the archive; ${note})`,
  });
  results.rows.push({
    figure: 'bundleVsNpmLayout (extra)',
    ours: l.a,
    reference: l.b,
    unit: 'ms',
    target: null,
    note: `(the archive's one file vs the npm package's entry + dist/, same Node; ${note})`,
  });
}
