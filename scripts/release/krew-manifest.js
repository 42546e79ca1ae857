// @ts-check
// The krew manifest for this version, generated from the archives in release/: one platform entry
// per archive, with its real sha256. Written as release/csr-login.yaml (krew wants the file named
// after the plugin). `kubectl krew install --manifest=release/csr-login.yaml --archive=<archive>`
// installs it without a download; published, `uri` must be where the archive is served.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

const krewOs = { linux: 'linux', darwin: 'darwin' };
const krewArch = { x64: 'amd64', arm64: 'arm64' };

export async function krewManifest(releaseDir, version, baseUrl) {
  const pattern = new RegExp(`^kube-csr-login-${version.replace(/\./g, '\\.')}-([a-z0-9]+)-([a-z0-9]+)\\.tar\\.gz$`);
  const platforms = [];
  for (const name of (await readdir(releaseDir)).sort()) {
    const match = pattern.exec(name);
    if (!match) continue;
    const [, nodeOs, nodeArch] = match;
    if (!krewOs[nodeOs] || !krewArch[nodeArch]) throw new Error(`krew has no platform for ${name}`);
    const sha256 = createHash('sha256')
      .update(await readFile(path.join(releaseDir, name)))
      .digest('hex');
    platforms.push({
      selector: { matchLabels: { os: krewOs[nodeOs], arch: krewArch[nodeArch] } },
      uri: `${baseUrl.replace(/\/+$/, '')}/${name}`,
      sha256,
      files: [{ from: '*', to: '.' }],
      bin: 'bin/kube-csr-login',
    });
  }
  if (platforms.length === 0) throw new Error(`no kube-csr-login-${version}-<os>-<arch>.tar.gz in ${releaseDir}`);
  const needsNode = platforms.some((p) => !(p.selector.matchLabels.os === 'linux' && p.selector.matchLabels.arch === 'amd64'));
  return stringify(
    {
      apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
      kind: 'Plugin',
      metadata: { name: 'csr-login' },
      spec: {
        version: `v${version}`,
        shortDescription: 'Short-lived client certificates via the CSR API',
        description: [
          'A credential exec plugin that trades a ServiceAccount token for short-lived client',
          'certificates from the Kubernetes CSR API, cached and renewed in the background.',
          'linux/amd64 carries a single executable; other platforms need Node.js >= 22.19 on PATH.',
          '',
        ].join('\n'),
        caveats: `Log in once with the bundle your admin gave you:\n  kubectl csr-login setup --bundle FILE --use-context\n${needsNode ? 'Outside linux/amd64 this needs Node.js >= 22.19 on PATH.\n' : ''}`,
        platforms,
      },
    },
    { blockQuote: 'literal', lineWidth: 0 },
  );
}
