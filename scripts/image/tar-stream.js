// A tar archive written byte for byte from a list of entries, so its digest depends on nothing but
// the entries: sorted by path, owner 0:0 without user or group names, one fixed mtime, the modes
// given (node-tar's `create` in portable mode would turn /tmp's 1777 into 1755, and without it
// would record the builder's uid, names and atime). Headers come from the `tar` package's encoder.
import { Header } from 'tar';

const block = 512;

/**
 * @typedef {{ path: string, type: 'Directory', mode: number }
 *   | { path: string, type: 'File', mode: number, data: Buffer }
 *   | { path: string, type: 'SymbolicLink', linkpath: string }} TarEntry
 */

/** The archive of `entries` (paths without a leading slash; directories end in "/"). */
export function tarBytes(/** @type {TarEntry[]} */ entries, /** @type {Date} */ mtime) {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts = [];
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].path === sorted[i - 1].path) throw new Error(`two tar entries for ${sorted[i].path}`);
  for (const entry of sorted) {
    const data = entry.type === 'File' ? entry.data : Buffer.alloc(0);
    const header = new Header({
      path: entry.path,
      type: entry.type,
      mode: entry.type === 'SymbolicLink' ? 0o777 : entry.mode,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      size: data.length,
      mtime,
      ...(entry.type === 'SymbolicLink' ? { linkpath: entry.linkpath } : {}),
    });
    const head = Buffer.alloc(block);
    // a pax header would be needed for long names: the image has none, so refuse rather than emit one
    if (header.encode(head, 0)) throw new Error(`tar entry ${entry.path} needs a pax header (name too long)`);
    parts.push(head, data, Buffer.alloc((block - (data.length % block)) % block));
  }
  parts.push(Buffer.alloc(2 * block));
  return Buffer.concat(parts);
}
