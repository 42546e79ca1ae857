// The release's one-file program (scripts/release/single-file.js) resolves nothing outside itself:
// an archive unpacked under a directory others can write (~/Downloads on a shared machine, /opt,
// a team directory) must not load a package someone planted in node_modules of any parent
// directory. Built here as the release builds it; the planted packages leave a mark when loaded.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, expect, jest, test } from '@jest/globals';
import { startFakeApi } from '../../helpers/fake-api.js';
import { tempDir } from '../../helpers/temp-dirs.js';

jest.setTimeout(120_000); // esbuild bundles every dependency: seconds on a loaded machine

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const planted = ['@napi-rs/keyring', 'bufferutil', 'utf-8-validate'];
let base: string;
let bundle: string;
let metafile: { outputs: Record<string, { imports: { path: string; external?: boolean }[] }> };

beforeAll(async () => {
  base = await tempDir('kcl-bundle');
  bundle = path.join(base, 'shared', 'kube-csr-login-0.1.0', 'bin', 'kube-csr-login.cjs');
  const module = (await import(pathToFileURL(path.join(repo, 'scripts/release/single-file.js')).href)) as {
    buildSingleFile: (outfile: string) => Promise<typeof metafile>;
  };
  metafile = await module.buildSingleFile(bundle);
  // what someone else put in node_modules two levels above the unpacked archive
  for (const name of planted) {
    const dir = path.join(base, 'shared', 'node_modules', name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
    const mark = JSON.stringify(path.join(base, 'loaded', name.replace('/', '+')));
    await writeFile(
      path.join(dir, 'index.js'),
      `require('node:fs').mkdirSync(require('node:path').dirname(${mark}), { recursive: true }); require('node:fs').writeFileSync(${mark}, '');\n`,
    );
  }
});

test("the bundle requires only Node's built-ins", () => {
  const builtins = new Set(builtinModules);
  const outside = Object.values(metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((entry) => entry.external && !entry.path.startsWith('node:') && !builtins.has(entry.path))
    .map((entry) => entry.path);
  expect([...new Set(outside)]).toEqual([]);
});

test('a keyring profile loads no keyring planted in a parent node_modules', async () => {
  const config = path.join(base, 'config');
  const api = await startFakeApi({ token: 'x' }); // for its CA: the keyring is read before any request
  await api.close();
  await writeFile(path.join(base, 'ca.crt'), api.caPem);
  await mkdir(path.join(config, 'profiles'), { recursive: true });
  await writeFile(
    path.join(config, 'profiles', 'default.json'),
    JSON.stringify({
      version: 1,
      server: 'https://127.0.0.1:1',
      certificateAuthorityFile: path.join(base, 'ca.crt'),
      user: 'jean.doe',
      tokenStore: { storage: 'keyring', account: 'default', sha256: createHash('sha256').update('x').digest('hex') },
    }),
  );
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: base,
    KUBE_CSR_LOGIN_CONFIG_DIR: config,
    KUBE_CSR_LOGIN_CACHE_DIR: path.join(base, 'cache'),
    NODE_PATH: '', // only the parent directories are under test
  };
  const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [bundle, 'get-credential'], { env, cwd: path.dirname(bundle) }, (error, _stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(
    /^kube-csr-login: no OS keyring reachable \(.*Cannot find module '@napi-rs\/keyring' \(not part of the release bundle\)/,
  );
  expect(await readdir(path.join(base, 'loaded')).catch(() => [])).toEqual([]);
});
