// The image's one layer: the release's single executable (bin/kube-csr-login-sea, Node with the
// program injected) and exactly what it needs to run: the shared libraries ldd lists for it, from
// this build host (Debian's libc6, libstdc++6, libgcc-s1, with their copyright files), the CA
// bundle, passwd/group naming uid/gid 65532 (the manifests' runAsUser), /tmp 1777. No shell, no
// package manager: nothing else is there to run.
import { execFileSync } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

export const user = 65532;
const caBundle = '/etc/ssl/certs/ca-certificates.crt';

/** Absolute paths of the libraries `ldd` resolves for `program` (the loader included). */
function sharedLibraries(program) {
  const out = execFileSync('ldd', [program], { encoding: 'utf8' });
  const libraries = [];
  for (const line of out.split('\n')) {
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match) libraries.push(match[1]);
    else if (/not found/.test(line)) throw new Error(`ldd ${program}: ${line.trim()}`);
  }
  if (!libraries.some((lib) => /\/libc\.so/.test(lib))) throw new Error(`ldd ${program} lists no libc: is it a dynamic Linux executable?`);
  return libraries;
}

/** The Debian copyright files of the packages that own `files` (dpkg, asked for each file as
 * linked and as resolved, since merged-/usr records either; none off Debian), deduplicated. */
async function copyrightFiles(files) {
  const owner = (file) => {
    try {
      return execFileSync('dpkg-query', ['-S', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0];
    } catch {
      return undefined;
    }
  };
  const copyrights = new Map();
  for (const file of files) {
    const name = owner(file) ?? owner(await realpath(file));
    if (!name) continue;
    const copyright = await realpath(`/usr/share/doc/${name}/copyright`).catch(() => undefined);
    if (copyright) copyrights.set(copyright, copyright);
  }
  return [...copyrights.keys()].sort();
}

/** Directory entries for every parent of `paths` (tar paths, no leading slash). */
function parents(paths) {
  const dirs = new Set();
  for (const file of paths) for (let dir = path.posix.dirname(file); dir !== '.'; dir = path.posix.dirname(dir)) dirs.add(`${dir}/`);
  return [...dirs].map((dir) => ({ path: dir, type: 'Directory', mode: 0o755 }));
}

/** Every entry of the layer; `sea` is the single executable, `docs` the release's notices. */
export async function rootfsEntries(sea, docs) {
  const files = [];
  // regular files at the paths ldd printed (a symlink's target read, so the loader path works as is)
  const hostFile = async (from, to = from, mode = 0o644) =>
    files.push({ path: to.slice(1), type: 'File', mode, data: await readFile(await realpath(from)) });
  await hostFile(sea, '/usr/local/bin/kube-csr-login', 0o755);
  const libraries = sharedLibraries(sea);
  for (const lib of libraries) await hostFile(lib, lib, 0o755);
  for (const copyright of await copyrightFiles(libraries)) await hostFile(copyright);
  await hostFile(caBundle).catch((error) => {
    throw new Error(`the image needs the CA bundle ${caBundle} (Debian package ca-certificates): ${error.message}`);
  });
  for (const [name, file] of Object.entries(docs)) await hostFile(file, `/usr/share/doc/kube-csr-login/${name}`);
  const text = (to, content) => files.push({ path: to, type: 'File', mode: 0o644, data: Buffer.from(content) });
  text('etc/passwd', `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${user}:${user}:nonroot:/nonexistent:/sbin/nologin\n`);
  text('etc/group', `root:x:0:\nnonroot:x:${user}:\n`);
  // every entry is owned by 0:0, so the user's home does not exist: nothing the approver does writes there
  return [...files, { path: 'tmp/', type: 'Directory', mode: 0o1777 }, ...parents(files.map((file) => file.path))];
}
