// `npm run test:versions [-- [--only core|skew] v1.36.3 ...]`: the end-to-end core against every supported
// Kubernetes release, and kubectl one minor older and one newer than each server (where the matrix has both).
// Each version's control plane is built once (cached by build.sh; its progress shows as it compiles)
// and started in its own state dir; the e2e files run unchanged, pointed at it by jest's global setup.
// Results go to test/versions/LAST-RUN.md (rows of versions not run this time are kept).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clusterScript } from '../cluster/start.js';
import { repoRoot } from '../e2e/cluster.js';
import { type MatrixRow, writeTable } from './table.js';

/** Oldest first; see docs/versions.md for why these. The pinned one (test/cluster/gomod) is last. */
const versions = ['v1.33.13', 'v1.35.4', 'v1.36.3', 'v1.37.2'];
/** The core: admin add/list/remove-user and the CSR-name ValidatingAdmissionPolicy, setup with identity
 * discovery, kubectl through the exec stanza with blocking and background renewal, the approver
 * (approving, the hostile corpus, a standby replica) and approver explain / --dry-run. */
const core = ['admin', 'csr-names', 'setup', 'plugin', 'approver', 'approver-explain'];
/** What depends on kubectl's side of the exec protocol and kubeconfig handling. */
const skew = ['setup', 'plugin'];

const minor = (version: string) => Number(version.split('.')[1]);
const args = process.argv.slice(2);
const only = args[0] === '--only' ? args[1] : undefined;
const wanted = only ? args.slice(2) : args;
const selected = wanted.length ? versions.filter((v) => wanted.includes(v)) : versions;
if (wanted.some((v) => !versions.includes(v)) || (only !== undefined && only !== 'core' && only !== 'skew')) {
  process.stderr.write(`test:versions: usage: [--only core|skew] [VERSION...] with versions among ${versions.join(', ')}\n`);
  process.exit(2);
}
const stateBase = process.env.KCL_CLUSTER_DIR ?? '/tmp/kcl-versions';

function jest(files: string[], env: Record<string, string>): Pick<MatrixRow, 'passed' | 'total' | 'ok'> {
  const pattern = `build/test/e2e/(${files.join('|')})\\.test\\.js$`;
  const result = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'test/run-jest.js'), '--selectProjects', 'e2e', '--testPathPatterns', pattern],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env, KCL_KEEP_CLUSTER: '1' },
      stdio: 'inherit',
    },
  );
  try {
    const report = JSON.parse(readFileSync(path.join(repoRoot, 'build/jest-report.json'), 'utf8'));
    return { passed: report.numPassedTests, total: report.numTotalTests, ok: result.status === 0 && report.numTotalTests > 0 };
  } catch {
    return { passed: 0, total: 0, ok: false };
  }
}

async function main(): Promise<void> {
  const bins = new Map<string, string>();
  // Every selected server's binaries, plus the neighbours whose kubectl the skew runs need.
  const needed = versions.filter((v) => selected.some((s) => Math.abs(minor(s) - minor(v)) <= (only === 'core' ? 0 : 1)));
  for (const version of needed) {
    process.stderr.write(`== Kubernetes ${version}: module and binaries\n`);
    const mod = (await clusterScript('module-dir.sh', [version])).trim();
    bins.set(version, (await clusterScript('build.sh', [mod])).trim().split('\n').at(-1) ?? '');
  }
  const rows: MatrixRow[] = [];
  for (const server of selected) {
    const env = { KCL_KUBERNETES: server, KCL_CLUSTER_DIR: `${stateBase}-${server}` };
    const runs: [string, string[]][] = only === 'skew' ? [] : [[server, core]];
    if (only !== 'core') for (const other of versions) if (Math.abs(minor(other) - minor(server)) === 1) runs.push([other, skew]);
    for (const [kubectl, files] of runs) {
      process.stderr.write(`== server ${server}, kubectl ${kubectl}: ${files.join(', ')}\n`);
      const started = Date.now();
      const kubectlEnv: Record<string, string> =
        kubectl === server ? {} : { KCL_E2E_KUBECTL: path.join(bins.get(kubectl) ?? '', 'kubectl') };
      const result = jest(files, { ...env, ...kubectlEnv });
      rows.push({ server, kubectl, files, ...result, seconds: Math.round((Date.now() - started) / 1000), date: new Date() });
      writeTable(rows);
    }
    await clusterScript('down.sh', [], env);
  }
  const failed = rows.filter((row) => !row.ok);
  process.stderr.write(`test:versions: ${rows.length - failed.length}/${rows.length} runs passed; table in test/versions/LAST-RUN.md\n`);
  process.exitCode = failed.length ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`test:versions: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
