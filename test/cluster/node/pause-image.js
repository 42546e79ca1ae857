// The pod sandbox image for the local node (registry.k8s.io is not reachable here): the static
// pause binary build-node.sh compiles, as docker.io/library/kcl-pause:node, written by the same
// OCI writer as the approver's image (scripts/image).
//   node pause-image.js PAUSE_BINARY OUT_TAR
import { readFile, writeFile } from 'node:fs/promises';
import { ociArchive } from '../../../scripts/image/oci-archive.js';
import { tarBytes } from '../../../scripts/image/tar-stream.js';

const [pause, out] = process.argv.slice(2);
if (!pause || !out) throw new Error('usage: node pause-image.js PAUSE_BINARY OUT_TAR');
const created = new Date(0);
const layer = tarBytes([{ path: 'pause', type: 'File', mode: 0o755, data: await readFile(pause) }], created);
const image = ociArchive({
  layer,
  name: 'docker.io/library/kcl-pause',
  tag: 'node',
  created,
  config: { Entrypoint: ['/pause'], User: '65535:65535' },
  labels: {},
});
await writeFile(out, image.archive);
