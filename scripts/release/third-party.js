// @ts-check
// THIRD-PARTY-NOTICES for the release: the license of every npm package esbuild inlined into the
// bundle (read from its metafile) and, with the single executable, Node.js's own. MIT, BSD and
// Apache-2.0 ask for their notices to travel with copies; the npm package installs the
// dependencies themselves, with their files, so it needs none.
import { readFile, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { root } from '../bundle.js';

/** node_modules/a/node_modules/@s/b/lib/x.js -> node_modules/a/node_modules/@s/b */
function packageDir(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

async function notice(dir) {
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  const files = (await readdir(dir)).filter((name) => /^(licen[cs]e|copying|notice)/i.test(name)).sort();
  const texts = await Promise.all(files.map((name) => readFile(path.join(dir, name), 'utf8')));
  const license = typeof pkg.license === 'string' ? pkg.license : 'see below';
  const body = texts.length ? texts.map((t) => t.trim()).join('\n\n') : `(no license file in the package; package.json says ${license})`;
  return { key: `${pkg.name}@${pkg.version}`, text: `${pkg.name} ${pkg.version} (${license})\n\n${body}\n` };
}

export async function thirdPartyNotices(metafile, withNode) {
  const dirs = new Set(Object.keys(metafile.inputs).map(packageDir).filter(Boolean));
  const notices = await Promise.all([...dirs].map((dir) => notice(path.join(root, dir))));
  if (withNode)
    notices.push({ key: '~node', text: `Node.js ${process.version.slice(1)} (the single executable's runtime)\n\n${await nodeLicense()}` });
  const unique = [...new Map(notices.map((n) => [n.key, n.text])).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const line = '-'.repeat(78);
  return `kube-csr-login's release redistributes the software below.\n\n${unique.map(([, text]) => `${line}\n${text}`).join('\n')}`;
}

/** The LICENSE shipped with the project's Node binary (npm package node-<os>-<arch>). */
async function nodeLicense() {
  const binary = await realpath(path.join(root, 'node_modules', '.bin', 'node'));
  const nodePackage = path.join(path.dirname(binary), '..', 'node_modules', `node-${process.platform}-${process.arch}`);
  try {
    return await readFile(path.join(nodePackage, 'LICENSE'), 'utf8');
  } catch (error) {
    // npm install (not npm ci) prunes the package the `node` package's install script added
    throw new Error(`Node's LICENSE is missing from ${nodePackage} (${error.code}): run npm rebuild node, or npm ci`);
  }
}
