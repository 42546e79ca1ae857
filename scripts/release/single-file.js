// The release's program: bin/kube-csr-login.cjs bundled with everything it loads, every runtime
// dependency inlined (no node_modules), so the archive runs with any Node >= 22.19 or as the
// single executable. The entry is the npm package's own: its two requires of dist/ are pointed at
// the sources, and they stay lazy in the bundle (a cache hit still evaluates only the fast path).
// The only requires left are Node's built-ins: the bundle resolves nothing from node_modules, so no
// package planted in a node_modules of any parent directory (an archive unpacked under a shared
// directory) is ever loaded. The native add-ons it cannot inline are compiled in as absent modules
// that throw MODULE_NOT_FOUND when required: ws's optional bufferutil and utf-8-validate (ws loads
// them inside try/catch and does without) and @napi-rs/keyring (the archive stores tokens in a file
// or passphrase-encrypted; --token-storage keyring says that no OS keyring is reachable).
import path from 'node:path';
import { common, loadEsbuild, root } from '../bundle.js';

const distToSource = {
  '../dist/fast-path.cjs': 'src/cli/fast-path.ts',
  '../dist/kube-csr-login.cjs': 'src/cli/main.ts',
};

const fromSources = {
  name: 'dist-to-sources',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/dist\// }, (args) => {
      const source = distToSource[args.path];
      if (!source) return { errors: [{ text: `the release bundle does not know ${args.path}` }] };
      return { path: path.join(root, source) };
    });
  },
};

const absentModules = ['@napi-rs/keyring', 'bufferutil', 'utf-8-validate'];

const absent = {
  name: 'absent-native-add-ons',
  setup(build) {
    const filter = new RegExp(`^(${absentModules.map((name) => name.replace(/[/.-]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'absent' }));
    build.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}' (not part of the release bundle)`)}), { code: 'MODULE_NOT_FOUND' });`,
      loader: 'js',
    }));
  },
};

/** Writes the bundle to `outfile` (it starts with #!/usr/bin/env node); returns esbuild's metafile. */
export async function buildSingleFile(outfile) {
  const { build } = await loadEsbuild();
  // Minified: Node compiles (pre-parses) the whole file at every start, 4.2 MB as written, 2 MB
  // minified (measured 276 vs 160 ms for vm.Script on a loaded 2-core machine). Names kept: they
  // are in --verbose stack traces, and libraries read constructor names.
  const result = await build({ ...common, entryPoints: ['bin/kube-csr-login.cjs'], outfile, plugins: [fromSources, absent], minify: true, keepNames: true, metafile: true });
  return result.metafile;
}
