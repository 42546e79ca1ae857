// @ts-check
// The single executable (Node SEA) for machines without Node: the project's own Node 24 (the npm
// `node` package, pinned in package-lock.json) with the release bundle injected as its main script,
// by the flow Node documents for Node 24 (--experimental-sea-config, then postject; `node
// --build-sea` arrived after 24). No code cache: two blobs made with useCodeCache differ (checked
// with Node 24.21), which would break the archive's reproducibility; the bench measures start-up.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { root } from '../bundle.js';

// Node's SEA fuse: postject flips it so the binary runs the injected blob.
const sentinelFuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The project's Node (node_modules/.bin/node), which must be the one the blob is made for. */
async function projectNode() {
  const node = await realpath(path.join(root, 'node_modules', '.bin', 'node')).catch(() => undefined);
  if (!node) throw new Error('the single executable is built from the project\'s own Node (npm package "node"): run npm install first');
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  if (!/^v(2[4-9]|[3-9]\d)\./.test(version))
    throw new Error(`the single executable needs the project's Node >= 24, found ${version} at ${node}`);
  return node;
}

export async function buildSingleExecutable(bundle, outfile) {
  const node = await projectNode();
  const work = await mkdtemp(path.join(os.tmpdir(), 'kcl-sea-'));
  try {
    // relative names, run from `work`: the blob records the main script's path as given, and an
    // absolute one would make every checkout's executable differ
    await copyFile(bundle, path.join(work, 'kube-csr-login.cjs'));
    const config = {
      main: 'kube-csr-login.cjs',
      output: 'sea.blob',
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
    };
    await writeFile(path.join(work, 'sea-config.json'), JSON.stringify(config));
    const prepared = spawnSync(node, ['--experimental-sea-config', 'sea-config.json'], { cwd: work, encoding: 'utf8' });
    if (prepared.status !== 0)
      throw new Error(`node --experimental-sea-config failed (exit ${prepared.status}): ${prepared.stderr.trim().slice(-2000)}`);
    const blob = path.join(work, 'sea.blob');
    await copyFile(node, outfile);
    await chmod(outfile, 0o755);
    // postject's LIEF warns about every ELF note section it cannot name: shown only on failure
    const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
    const injected = spawnSync(node, [postject, outfile, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', sentinelFuse], { encoding: 'utf8' });
    if (injected.status !== 0)
      throw new Error(`postject failed (exit ${injected.status}): ${`${injected.stdout}${injected.stderr}`.trim().slice(-2000)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
