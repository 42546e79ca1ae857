// Lint for src/ and test/: typescript-eslint's type-aware rules (promises that are never awaited or
// handed where a callback is expected are bugs here: a lost rejection is a lost error line).
// Formatting is prettier's (npm run fix); this file holds no style rules but the line limit.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const adapterFolders = ['kube', 'kubeconfig', 'cache', 'token', 'pki', 'exec', 'util'];
const useCaseFolders = ['credential', 'setup', 'admin', 'approver', 'status', 'profile', 'cli'];

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // URL and URLSearchParams render themselves (the default allows them only from the DOM lib)
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allow: [
            { from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] },
            { from: 'package', package: 'url', name: ['URL', 'URLSearchParams'] },
          ],
        },
      ],
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always'],
      'max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
  {
    // The edge is the only composition root: below it, the clock, randomness, environment, home
    // and process identity come from the deps a command built (src/cli/fast-path.ts must load nothing).
    files: ['src/**/*.ts'],
    ignores: ['src/cli/edge.ts', 'src/cli/fast-path.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...[
          ['Date', 'now'],
          ['Math', 'random'],
          ['process', 'env'],
          ['process', 'pid'],
          ['os', 'homedir'],
          ['os', 'hostname'],
          ['process', 'on'],
          ['process', 'once'],
        ].map(([object, property]) => ({ object, property, message: 'read it from the Edge (src/cli/edge.ts) and pass it in the deps' })),
        // client-node's loader reads KUBECONFIG and the home directory from the process itself
        { property: 'loadFromDefault', message: 'list the files with kubeconfig/paths.ts from what the Edge read' },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval'].map((name) => ({ name, message: "sleep with the deps (the Edge's sleep), not a real timer" })),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'use the deps clock (now), built at the Edge' },
        { selector: 'ImportSpecifier[imported.name=/^(homedir|hostname)$/]', message: 'read it from the Edge (src/cli/edge.ts)' },
      ],
    },
  },
  {
    // A request's deadline on a socket is not a clock read: the HTTP client arms its own timers.
    files: ['src/kube/http.ts'],
    rules: { 'no-restricted-globals': 'off' },
  },
  {
    // Dependencies point inward: an adapter (API, kubeconfig, cache, token store, key and CSR
    // encoding, exec protocol, helpers) serves the use cases and never reaches back into one or into
    // the CLI. test/unit/lint/layering.test.ts shows a back-import failing this rule.
    name: 'kcl/layering',
    files: [`src/{${adapterFolders.join(',')}}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${useCaseFolders.join('|')})/`,
              message: 'an adapter folder must not import a use case or the CLI: move what both need into an adapter',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON that the code under test wrote, and assert on it: `any` there is the point.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
      },
    },
    rules: {
      'max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
);
