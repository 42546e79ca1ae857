// Tests are written in TypeScript and compiled by `npm run build:test` into build/; jest runs the
// emitted ES modules (no transform), under the project's own Node (node_modules/.bin/node).
// Four tiers, run cheapest first by `npm test` (test/run-jest.js --tiers):
//   unit      pure and in-process (the fake API is a local HTTPS server): no Go, no sh launcher
//   fuzz      seeded fuzzing, and the Go oracle (builds against the Kubernetes modules)
//   launcher  the POSIX sh launcher, spawned for real (and as a second system user)
//   e2e       a real control plane and kubectl
const unitTier = (displayName, testMatch, testPathIgnorePatterns = []) => ({
  displayName,
  testMatch,
  testPathIgnorePatterns,
  transform: {},
  testEnvironment: 'node',
});

export default {
  // The e2e files share one control plane; unit files are small. Two cores: keep workers low.
  maxWorkers: 2,
  projects: [
    unitTier('unit', ['<rootDir>/build/test/unit/**/*.test.js'], ['/build/test/unit/(fuzz|launcher)/']),
    unitTier('fuzz', ['<rootDir>/build/test/unit/fuzz/**/*.test.js']),
    unitTier('launcher', ['<rootDir>/build/test/unit/launcher/**/*.test.js']),
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
