// @ts-check
// A reproducible .tar.gz: the same inputs give the same bytes (two `npm run release` runs, two
// machines of one kind). Entries sorted, one fixed mtime (SOURCE_DATE_EPOCH, else the last
// commit's time), no owner or group names (node-tar's portable mode: uid/gid 0, modes 0755/0644),
// no atime/ctime, and a gzip header without timestamp (Node's zlib writes mtime 0). gzip level 6:
// level 9 saves 0.3 % of the 45 MB for 70 % more time.
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { create } from 'tar';
import { root } from '../bundle.js';

/** Seconds since the epoch for every entry's mtime. */
export function sourceDateEpoch(env = process.env) {
  const fixed = env.SOURCE_DATE_EPOCH ?? execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' }).trim();
  if (!/^\d+$/.test(fixed)) throw new Error(`SOURCE_DATE_EPOCH must be seconds since the epoch, got "${fixed.slice(0, 40)}"`);
  return Number(fixed);
}

/** Every directory and file under `dir`, relative, directories before their contents, sorted. */
async function entries(dir, prefix = '') {
  const names = (await readdir(path.join(dir, prefix), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const out = [];
  for (const entry of names) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    out.push(relative);
    if (entry.isDirectory()) out.push(...(await entries(dir, relative)));
  }
  return out;
}

export async function writeArchive(stageDir, file, epochSeconds) {
  const list = await entries(stageDir);
  await create(
    { file, cwd: stageDir, gzip: { level: 6 }, portable: true, noDirRecurse: true, strict: true, mtime: new Date(epochSeconds * 1000) },
    list,
  );
  return list;
}
