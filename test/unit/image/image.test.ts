// The image writer (scripts/image): the same inputs give the same bytes and digest, entries are
// sorted with owner 0:0 and the modes given (/tmp 1777 survives), the OCI index, the docker
// manifest.json and the blobs agree, and the root filesystem has exactly what the executable
// needs: its ldd libraries, CA bundle, passwd/group for 65532, and no shell.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { expect, test } from '@jest/globals';
import { Parser, type ReadEntry } from 'tar';

const scripts = path.resolve(import.meta.dirname, '../../../../scripts/image');
type Entry = { path: string; type: string; mode?: number; data?: Buffer; linkpath?: string };
const load = async <T>(file: string) => (await import(pathToFileURL(path.join(scripts, file)).href)) as T;
const { tarBytes } = await load<{ tarBytes: (entries: Entry[], mtime: Date) => Buffer }>('tar-stream.js');
const { ociArchive } = await load<{
  ociArchive: (image: Record<string, unknown>) => { archive: Buffer; digest: string; reference: string };
}>('oci-archive.js');
const { rootfsEntries } = await load<{ rootfsEntries: (sea: string, docs: Record<string, string>) => Promise<Entry[]> }>('rootfs.js');

/** Every entry of a tar: path, mode, uid/gid, mtime, content. */
function list(bytes: Buffer): { path: string; mode: number; uid: number; gid: number; mtime: number; data: Buffer }[] {
  const out: { path: string; mode: number; uid: number; gid: number; mtime: number; data: Buffer }[] = [];
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () =>
        out.push({
          path: entry.path,
          mode: entry.mode ?? -1,
          uid: entry.uid ?? -1,
          gid: entry.gid ?? -1,
          mtime: entry.mtime?.getTime() ?? -1,
          data: Buffer.concat(chunks),
        }),
      );
    },
  });
  parser.end(bytes);
  return out;
}

const mtime = new Date(1_700_000_000_000);
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('tar entries come out sorted, 0:0, one mtime, modes as given (1777 kept), and the same bytes twice', () => {
  const entries: Entry[] = [
    { path: 'tmp/', type: 'Directory', mode: 0o1777 },
    { path: 'etc/passwd', type: 'File', mode: 0o644, data: Buffer.from('x\n') },
    { path: 'etc/', type: 'Directory', mode: 0o755 },
  ];
  const bytes = tarBytes(entries, mtime);
  expect(tarBytes([...entries].reverse(), mtime).equals(bytes)).toBe(true);
  expect(list(bytes).map((e) => [e.path, e.mode.toString(8), e.uid, e.gid, e.mtime])).toEqual([
    ['etc/', '755', 0, 0, mtime.getTime()],
    ['etc/passwd', '644', 0, 0, mtime.getTime()],
    ['tmp/', '1777', 0, 0, mtime.getTime()],
  ]);
  expect(() => tarBytes([...entries, { path: 'tmp/', type: 'Directory', mode: 0o755 }], mtime)).toThrow('two tar entries for tmp/');
});

test('the OCI archive: same digest twice; index, manifest.json and blobs agree', () => {
  const layer = tarBytes([{ path: 'a', type: 'File', mode: 0o644, data: Buffer.from('a') }], mtime);
  const image = { layer, name: 'docker.io/library/kcl-test', tag: '1.0', created: mtime, config: { User: '65532:65532' }, labels: {} };
  const first = ociArchive(image);
  expect(ociArchive(image).archive.equals(first.archive)).toBe(true);
  const files = new Map(list(first.archive).map((e) => [e.path, e.data]));
  const blob = (digest: string) => files.get(`blobs/sha256/${digest.slice(7)}`) ?? Buffer.alloc(0);
  const index = JSON.parse(String(files.get('index.json'))) as { manifests: { digest: string; annotations: Record<string, string> }[] };
  expect(index.manifests[0]?.digest).toBe(first.digest);
  expect(index.manifests[0]?.annotations['io.containerd.image.name']).toBe('docker.io/library/kcl-test:1.0');
  const manifest = JSON.parse(String(blob(first.digest))) as { config: { digest: string }; layers: { digest: string }[] };
  expect(sha(blob(first.digest))).toBe(first.digest);
  const layerBlob = blob(manifest.layers[0]?.digest ?? '');
  expect(gunzipSync(layerBlob).equals(layer)).toBe(true);
  expect(layerBlob.readUInt32LE(4)).toBe(0); // gzip header mtime
  const config = JSON.parse(String(blob(manifest.config.digest))) as { rootfs: { diff_ids: string[] }; config: { User: string } };
  expect([config.rootfs.diff_ids, config.config.User]).toEqual([[sha(layer)], '65532:65532']);
  const docker = JSON.parse(String(files.get('manifest.json'))) as { Config: string; RepoTags: string[]; Layers: string[] }[];
  expect(docker).toEqual([
    {
      Config: `blobs/sha256/${manifest.config.digest.slice(7)}`,
      RepoTags: ['kcl-test:1.0'],
      Layers: [`blobs/sha256/${manifest.layers[0]?.digest.slice(7)}`],
    },
  ]);
  expect(String(files.get('oci-layout'))).toBe('{"imageLayoutVersion":"1.0.0"}');
});

test('the root filesystem: the executable, its ldd libraries, CA bundle, 65532 in passwd/group, /tmp 1777, no shell', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kcl-image-unit-'));
  await writeFile(path.join(dir, 'LICENSE'), 'license\n');
  // any dynamic Linux executable stands in for the single executable (a small one: the SEA is 120 MB)
  const program = '/usr/bin/true';
  const entries = await rootfsEntries(program, { LICENSE: path.join(dir, 'LICENSE') });
  const byPath = new Map(entries.map((e) => [e.path, e]));
  expect(byPath.get('usr/local/bin/kube-csr-login')?.mode).toBe(0o755);
  expect(byPath.get('usr/local/bin/kube-csr-login')?.data?.equals(await readFile(program))).toBe(true);
  expect([...byPath.keys()].some((p) => /^lib\/x86_64-linux-gnu\/libc\.so\.6$/.test(p))).toBe(true);
  expect(byPath.has('lib64/ld-linux-x86-64.so.2')).toBe(true);
  expect(byPath.get('etc/ssl/certs/ca-certificates.crt')?.data?.toString()).toContain('BEGIN CERTIFICATE');
  expect(String(byPath.get('etc/passwd')?.data)).toMatch(/^nonroot:x:65532:65532:/m);
  expect(String(byPath.get('etc/group')?.data)).toMatch(/^nonroot:x:65532:/m);
  expect(byPath.get('tmp/')).toEqual({ path: 'tmp/', type: 'Directory', mode: 0o1777 });
  expect([...byPath.keys()].filter((p) => /(^|\/)(sh|bash|dash|busybox)$/.test(p))).toEqual([]);
  // every file's parent directory is an entry
  for (const e of entries)
    if (path.posix.dirname(e.path.replace(/\/$/, '')) !== '.')
      expect(byPath.has(`${path.posix.dirname(e.path.replace(/\/$/, ''))}/`)).toBe(true);
});
