// The environment kubectl would run in, as far as its credential plugin policy cares: the kuberc it
// reads (KUBECTL_KUBERC, KUBERC, HOME) and the PATH and directory it resolves plugin commands with.
// This process's own: setup and status assume kubectl is started from the same shell.
import { locateKuberc } from '../kuberc/source.js';
import type { KubectlEnvironment } from '../kuberc/verdict.js';
import type { Edge } from './edge.js';

export function kubectlEnvironment(edge: Edge): KubectlEnvironment {
  const cwd = process.cwd();
  return {
    kuberc: locateKuberc({ env: edge.env, platform: edge.platform, cwd }),
    look: { platform: edge.platform, path: edge.env.PATH, pathExt: edge.env.PATHEXT, cwd },
  };
}
