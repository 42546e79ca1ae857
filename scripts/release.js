// @ts-check
// `npm run release [-- --base-url URL] [--out DIR]`: release/kube-csr-login-<version>-<os>-<arch>.tar.gz for
// this machine's platform, holding bin/kube-csr-login (the sh launcher), bin/kube-csr-login.cjs
// (the program in one file, every runtime dependency inlined), on linux-x64 also
// bin/kube-csr-login-sea (the single executable: no Node needed), LICENSE, README.md and
// THIRD-PARTY-NOTICES (the licenses of what the bundle and the executable carry); then
// release/csr-login.yaml, the krew manifest of every archive of this version in release/.
// Deterministic: a second run writes the same bytes (scripts/release/archive.js).
import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { root, runMain, version } from './bundle.js';
import { sourceDateEpoch, writeArchive } from './release/archive.js';
import { krewManifest } from './release/krew-manifest.js';
import { buildSingleExecutable } from './release/sea.js';
import { buildSingleFile } from './release/single-file.js';
import { thirdPartyNotices } from './release/third-party.js';

/** Platforms whose archive carries the single executable (built from the project's Node). */
const seaPlatforms = new Set(['linux-x64']);

runMain(async () => {
  const { values } = parseArgs({ options: { 'base-url': { type: 'string' }, out: { type: 'string' } } });
  const baseUrl = values['base-url'] ?? `https://github.com/OWNER/kube-csr-login/releases/download/v${version}`;
  const platform = `${process.platform}-${process.arch}`;
  const releaseDir = path.resolve(values.out ?? path.join(root, 'release'));
  const stage = path.join(releaseDir, `.stage-${platform}`);
  await rm(stage, { recursive: true, force: true });
  await mkdir(path.join(stage, 'bin'), { recursive: true });

  await copyFile(path.join(root, 'bin', 'kube-csr-login'), path.join(stage, 'bin', 'kube-csr-login'));
  const bundle = path.join(stage, 'bin', 'kube-csr-login.cjs');
  const metafile = await buildSingleFile(bundle);
  const withSea = seaPlatforms.has(platform);
  if (withSea) await buildSingleExecutable(bundle, path.join(stage, 'bin', 'kube-csr-login-sea'));
  await writeFile(path.join(stage, 'THIRD-PARTY-NOTICES'), await thirdPartyNotices(metafile, withSea));
  for (const file of ['LICENSE', 'README.md']) await copyFile(path.join(root, file), path.join(stage, file));
  // modes from here, not from the checkout's umask: programs and bin/ 0755, the rest 0644
  for (const file of ['LICENSE', 'README.md', 'THIRD-PARTY-NOTICES']) await chmod(path.join(stage, file), 0o644);
  for (const file of ['', 'kube-csr-login', 'kube-csr-login.cjs', ...(withSea ? ['kube-csr-login-sea'] : [])])
    await chmod(path.join(stage, 'bin', file), 0o755);

  const archive = path.join(releaseDir, `kube-csr-login-${version}-${platform}.tar.gz`);
  const list = await writeArchive(stage, archive, sourceDateEpoch());
  await rm(stage, { recursive: true, force: true });
  const manifest = path.join(releaseDir, 'csr-login.yaml');
  await writeFile(manifest, await krewManifest(releaseDir, version, baseUrl));
  process.stdout.write(`${archive}: ${list.join(' ')}\n${manifest}\n`);
});
