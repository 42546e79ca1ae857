// The layering rule in eslint.config.js, run as configured on a back-import (an adapter reaching
// into a use case) and on the import it replaces; and src/ free of import cycles, which the
// rule cannot see inside one folder (admin/manifests.ts <-> csr-name-policy.ts was one).
import { describe, expect, test } from '@jest/globals';
import { ESLint, type Linter } from 'eslint';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import tseslint from 'typescript-eslint';

const root = path.resolve(import.meta.dirname, '../../../..');

async function layeringLint(filePath: string, code: string): Promise<string[]> {
  const configs = (await import(pathToFileURL(path.join(root, 'eslint.config.js')).href)) as { default: Linter.Config[] };
  const layering = configs.default.find((config) => config.name === 'kcl/layering');
  expect(layering).toBeDefined();
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, layering!],
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('layering', () => {
  test.each([
    ['src/token/token-store.ts', "import { readToken } from '../credential/identity.js';"],
    ['src/kube/http.ts', "import type { Settings } from '../credential/settings.js';"],
    ['src/util/files.ts', "export { main } from '../cli/main.js';"],
    ['src/cache/layout.ts', "import { setup } from '../setup/setup.js';"],
  ])('an adapter importing a use case or the CLI fails the lint (%s: %s)', async (file, code) => {
    expect(await layeringLint(file, code)).toEqual([expect.stringMatching(/^no-restricted-imports: .*must not import a use case/)]);
  });

  test.each([
    ['src/token/token-store.ts', "import { readToken } from './token-file.js';"],
    ['src/kube/http.ts', "import { KclError } from '../errors.js';"],
    ['src/credential/renew.ts', "import { readToken } from '../token/token-file.js';"],
    ['src/cli/main.ts', "import { setup } from '../setup/setup.js';"],
  ])('inward imports pass (%s: %s)', async (file, code) => {
    expect(await layeringLint(file, code)).toEqual([]);
  });
});

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The first cycle found in the graph, as the files along it, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const visit = (file: string, trail: string[]): string[] | undefined => {
    const seen = trail.indexOf(file);
    if (seen >= 0) return [...trail.slice(seen), file];
    if (done.has(file)) return undefined;
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next, [...trail, file]);
      if (cycle) return cycle;
    }
    done.add(file);
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('import cycles', () => {
  test('src/ has none (type-only imports count)', () => {
    const src = path.join(root, 'src');
    const graph = new Map(sourceFiles(src).map((file) => [file, relativeImports(file)]));
    expect(findCycle(graph)?.map((file) => path.relative(src, file))).toBeUndefined();
  });

  test('the check finds a cycle of two files', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'a.ts']],
      ['c.ts', []],
    ]);
    expect(findCycle(graph)).toEqual(['a.ts', 'b.ts', 'a.ts']);
  });
});
