// The real kubectl binaries the kuberc suite runs: one per release whose kuberc reader differs
// (1.35: `name` entries only; 1.36: `command` added) plus the pinned one. kubectl-for.sh builds a
// missing one (kubectl alone, cached); its progress goes to this process's stderr. A build that fails
// fails the suite: it never skips.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { KubectlLine } from '../../../src/kuberc/schema.js';
import { repoRoot } from '../cluster.js';

const script = path.join(repoRoot, 'test/e2e/kuberc/kubectl-for.sh');

export interface KubectlRelease {
  version: string;
  /** Which reader of ours predicts it. */
  line: KubectlLine;
}

export const kubectlReleases: readonly KubectlRelease[] = [
  { version: 'v1.35.4', line: '1.35' },
  { version: 'v1.36.3', line: '1.36+' },
  { version: 'v1.37.2', line: '1.36+' },
];

/** The kubectl binary of `version`, built first if needed (cold: several minutes each). */
export function kubectlFor(version: string): Promise<{ binary: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, version], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const binary = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && binary !== '') resolve({ binary, seconds: Math.round((Date.now() - started) / 1000) });
      else reject(new Error(`kubectl ${version} could not be obtained (kubectl-for.sh exited ${code}); see its messages above`));
    });
  });
}
