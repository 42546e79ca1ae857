// An OCI image layout in one tar (what `docker save` writes since Docker 25): oci-layout,
// index.json and blobs/sha256/*, plus the docker-archive manifest.json beside them, so the same
// file is read by `docker load` (old and new), `podman load`, `ctr images import`, and by
// `skopeo copy oci-archive:` / `crane push` for a registry. Canonical JSON (fixed key order, no
// whitespace) and a gzip stream without name or timestamp: the same layer gives the same digest.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tarBytes } from './tar-stream.js';

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const json = (value) => Buffer.from(JSON.stringify(value));

/**
 * @param {{ layer: Buffer, name: string, tag: string, created: Date,
 *   config: Record<string, unknown>, labels: Record<string, string> }} image
 * `name` is the repository as containerd spells it (docker.io/library/kube-csr-login).
 * Returns the archive and the manifest digest (what a registry reports for the pushed image).
 */
export function ociArchive(image) {
  const compressed = gzipSync(image.layer, { level: 6 });
  const layerDescriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(compressed), size: compressed.length };
  const config = json({
    architecture: 'amd64',
    os: 'linux',
    created: image.created.toISOString(),
    config: { ...image.config, Labels: image.labels },
    rootfs: { type: 'layers', diff_ids: [sha256(image.layer)] },
    history: [{ created: image.created.toISOString(), created_by: 'npm run image (scripts/image/build.js)' }],
  });
  const configDescriptor = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length };
  const manifest = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: configDescriptor,
    layers: [layerDescriptor],
    annotations: { 'org.opencontainers.image.created': image.created.toISOString(), ...image.labels },
  });
  const digest = sha256(manifest);
  const reference = `${image.name}:${image.tag}`;
  const index = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest,
        size: manifest.length,
        annotations: { 'io.containerd.image.name': reference, 'org.opencontainers.image.ref.name': image.tag },
        platform: { architecture: 'amd64', os: 'linux' },
      },
    ],
  });
  const blob = (descriptor) => `blobs/sha256/${descriptor.digest.slice('sha256:'.length)}`;
  const dockerTag = reference.replace(/^docker\.io\/library\//, '');
  const dockerManifest = json([{ Config: blob(configDescriptor), RepoTags: [dockerTag], Layers: [blob(layerDescriptor)] }]);
  const file = (path, data) => ({ path, type: 'File', mode: 0o644, data });
  const dir = (path) => ({ path, type: 'Directory', mode: 0o755 });
  const entries = [
    dir('blobs/'),
    dir('blobs/sha256/'),
    file(blob(layerDescriptor), compressed),
    file(blob(configDescriptor), config),
    file(blob({ digest }), manifest),
    file('index.json', index),
    file('manifest.json', dockerManifest),
    file('oci-layout', json({ imageLayoutVersion: '1.0.0' })),
  ];
  return { archive: tarBytes(entries, image.created), digest, reference };
}
