// `npm run image [-- --name REPO] [--out DIR]`: after `npm run release`, writes
// release/kube-csr-login-<version>-image-linux-amd64.tar, the approver's OCI image (an OCI layout
// in a tar, see oci-archive.js) built from the release archive's single executable, and prints
// the file, the image reference and the manifest digest. Reproducible: a second run (or another
// Debian host with the same libraries) gives the same digest; mtimes are SOURCE_DATE_EPOCH, else
// the last commit's time. No docker needed. Load, import and push: docs/deploy-approver.md.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { extract } from 'tar';
import { root, runMain, version } from '../bundle.js';
import { sourceDateEpoch } from '../release/archive.js';
import { ociArchive } from './oci-archive.js';
import { tarBytes } from './tar-stream.js';
import { rootfsEntries, user } from './rootfs.js';

runMain(async () => {
  const { values } = parseArgs({
    options: { name: { type: 'string', default: 'docker.io/library/kube-csr-login' }, out: { type: 'string' } },
  });
  if (`${process.platform}-${process.arch}` !== 'linux-x64')
    throw new Error("the image is built on linux-x64 (its single executable and libraries are this host's)");
  if (!/^[a-z0-9][a-z0-9._/:-]*$/.test(values.name) || values.name.endsWith(':'))
    throw new Error(`--name must be an image repository, got "${values.name.slice(0, 80)}"`);
  const releaseDir = path.resolve(values.out ?? path.join(root, 'release'));
  const release = path.join(releaseDir, `kube-csr-login-${version}-linux-x64.tar.gz`);
  const work = await mkdtemp(path.join(os.tmpdir(), 'kcl-image-'));
  try {
    await extract({ file: release, cwd: work, strict: true }).catch((error) => {
      throw new Error(`cannot read ${release} (run npm run release first; npm run image does): ${error.message}`);
    });
    const layerEntries = await rootfsEntries(path.join(work, 'bin', 'kube-csr-login-sea'), {
      LICENSE: path.join(work, 'LICENSE'),
      'THIRD-PARTY-NOTICES': path.join(work, 'THIRD-PARTY-NOTICES'),
    });
    const created = new Date(sourceDateEpoch() * 1000);
    const { archive, digest, reference } = ociArchive({
      layer: tarBytes(layerEntries, created),
      name: values.name,
      tag: version,
      created,
      config: {
        User: `${user}:${user}`,
        Env: ['PATH=/usr/local/bin', 'NODE_ENV=production'],
        Entrypoint: ['/usr/local/bin/kube-csr-login'],
        Cmd: ['approver', '--metrics-addr', '0.0.0.0:8080'],
        WorkingDir: '/',
        ExposedPorts: { '8080/tcp': {} },
      },
      labels: {
        'org.opencontainers.image.title': 'kube-csr-login',
        'org.opencontainers.image.version': version,
        'org.opencontainers.image.licenses': 'Apache-2.0',
      },
    });
    const file = path.join(releaseDir, `kube-csr-login-${version}-image-linux-amd64.tar`);
    await writeFile(file, archive);
    process.stdout.write(`${file} ${reference} ${digest}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
