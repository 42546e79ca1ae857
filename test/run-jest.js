// Runs jest (ES modules, compiled tests in build/) and ends with the plain summary line
// "N passed, N failed, N skipped" that CI reads; the exit code is jest's.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const report = path.join(root, 'build', 'jest-report.json');
rmSync(report, { force: true });
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const result = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', jest, '--json', `--outputFile=${report}`, ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
let summary = 'jest: no report (the run failed before any test)';
try {
  const data = JSON.parse(readFileSync(report, 'utf8'));
  summary = `${data.numPassedTests} passed, ${data.numFailedTests} failed, ${data.numPendingTests} skipped`;
  if (data.numTotalTests === 0) process.exitCode = 1;
} catch {
  process.exitCode = 1;
}
console.log(summary);
process.exitCode ||= result.status ?? 1;
