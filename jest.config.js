// Tests are written in TypeScript and compiled by `npm run build:test` into build/; jest runs the
// emitted ES modules (no transform), under the project's own Node (node_modules/.bin/node).
export default {
  // The e2e files share one control plane; unit files are small. Two cores: keep workers low.
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/build/test/unit/**/*.test.js'],
      transform: {},
      testEnvironment: 'node',
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/build/test/e2e/**/*.test.js'],
      testPathIgnorePatterns: ['/build/test/e2e/approver-pod\\.test\\.js$'],
      transform: {},
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/e2e/global-setup.js',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.js',
    },
    // The approver in a pod on a real node (root, minutes): `npm run test:node`, not part of npm test.
    {
      displayName: 'node',
      testMatch: ['<rootDir>/build/test/e2e/approver-pod.test.js'],
      transform: {},
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/e2e/global-setup-node.js',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.js',
    },
  ],
};
