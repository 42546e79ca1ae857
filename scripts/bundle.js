// @ts-check
// esbuild settings shared by the npm build (build.js) and the release (release.js): the program as
// CommonJS for Node >= 22 (one file loads in ~25 ms where the ES module graph took ~90 ms), with
// package.json's version compiled in (src/cli/main.ts), since the release carries no package.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');
export const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;

/** @type {import('esbuild').BuildOptions} */
export const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  define: { KUBE_CSR_LOGIN_VERSION: JSON.stringify(version) },
};

/** esbuild is a dev dependency: `npm install --omit=dev` in a clone runs `prepare` without it. */
export async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch (error) {
    const cause = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`cannot load esbuild (${cause}): building needs the dev dependencies, run npm install (without --omit=dev) first`);
  }
}

/**
 * Runs a build step as a script: one error line and exit 1 on failure.
 * @param {() => Promise<unknown>} step
 */
export function runMain(step) {
  step().catch((error) => {
    process.stderr.write(`${path.basename(process.argv[1] ?? 'build')}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
