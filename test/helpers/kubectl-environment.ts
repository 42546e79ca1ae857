// The kubectl environment of a unit test: a kuberc file that does not exist in the test's own
// directory (so kubectl's default policy, AllowAll, applies) and an empty PATH.
import path from 'node:path';
import type { KubectlEnvironment } from '../../src/kuberc/verdict.js';

export function kubectlWithoutKuberc(dir: string): KubectlEnvironment {
  return {
    kuberc: { kind: 'file', file: path.join(dir, 'kuberc'), explicit: false },
    look: { platform: 'linux', path: '', pathExt: undefined, cwd: dir },
  };
}
