// @ts-check
// `npm run build` (after tsc), `prepare` and `prepack`: the npm package's two bundles, which
// bin/kube-csr-login.cjs loads: dist/fast-path.cjs (the Node entry's cache-hit path: node:fs only)
// and dist/kube-csr-login.cjs (the CLI; the heavy dependencies stay external, npm installs them).
import { common, loadEsbuild, runMain } from './bundle.js';

runMain(async () => {
  const { build } = await loadEsbuild();
  await Promise.all([
    build({ ...common, entryPoints: ['src/cli/fast-path.ts'], outfile: 'dist/fast-path.cjs' }),
    build({
      ...common,
      entryPoints: ['src/cli/main.ts'],
      outfile: 'dist/kube-csr-login.cjs',
      external: ['@kubernetes/client-node', 'socks', 'yaml', '@napi-rs/keyring'],
    }),
  ]);
});
