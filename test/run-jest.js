// @ts-check
// Runs jest (ES modules, compiled tests in build/) and ends with the plain summary line
// "N passed, N failed, N skipped" that CI reads.
//   node test/run-jest.js [jest args]            one jest run; the exit code is jest's
//   node test/run-jest.js --tiers a,b,c [args]   the projects one after another (cheapest first),
//                                                stopping at the first that fails; the line sums them
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');

/**
 * One jest run; its counts (undefined when it wrote no report) and whether it passed.
 * @param {string} name
 * @param {string[]} args
 */
function runJest(name, args) {
  const report = path.join(root, 'build', `jest-report${name ? `-${name}` : ''}.json`);
  rmSync(report, { force: true });
  const result = spawnSync(process.execPath, ['--experimental-vm-modules', jest, '--json', `--outputFile=${report}`, ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  try {
    const data = JSON.parse(readFileSync(report, 'utf8'));
    const counts = { passed: data.numPassedTests, failed: data.numFailedTests, skipped: data.numPendingTests };
    return { counts, ok: result.status === 0 && data.numTotalTests > 0 };
  } catch {
    return { counts: undefined, ok: false };
  }
}

const argv = process.argv.slice(2);
const tiersAt = argv.indexOf('--tiers');
const tiers = tiersAt < 0 ? [''] : (argv[tiersAt + 1] ?? '').split(',').filter(Boolean);
const jestArgs = tiersAt < 0 ? argv : [...argv.slice(0, tiersAt), ...argv.slice(tiersAt + 2)];
const total = { passed: 0, failed: 0, skipped: 0 };
let ok = tiers.length > 0;
let reported = false;
for (const [index, tier] of tiers.entries()) {
  const run = runJest(tier, tier ? ['--selectProjects', tier, ...jestArgs] : jestArgs);
  if (run.counts) {
    reported = true;
    total.passed += run.counts.passed;
    total.failed += run.counts.failed;
    total.skipped += run.counts.skipped;
  }
  if (!run.ok) {
    ok = false;
    const rest = tiers.slice(index + 1);
    if (tier) console.log(`run-jest: tier ${tier} failed${rest.length > 0 ? `; not run: ${rest.join(', ')}` : ''}`);
    break;
  }
}
console.log(
  reported
    ? `${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`
    : 'jest: no report (the run failed before any test)',
);
process.exitCode = ok ? 0 : 1;
