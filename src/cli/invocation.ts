// How this program was started, so it can start itself again (background renewals) and tell kubectl
// how to run it (the exec stanza setup writes). Three shapes: Node on the entry script (npm package,
// release archive), the single executable (Node SEA, no script argument), and either of them
// reached through the sh launcher, which names itself in KUBE_CSR_LOGIN_LAUNCHER.
import path from 'node:path';
import { goClean } from '../kuberc/go-path.js';

interface CommandLine {
  command: string;
  args: string[];
}

export interface Invocation {
  /** Starts this program again, with the same Node and code. */
  self: CommandLine;
  /**
   * What an exec stanza runs: `command` plus these leading arguments before get-credential, and
   * `node`: the Node the sh launcher must run (KUBE_CSR_LOGIN_NODE in the stanza's env), recorded
   * so that no PATH decides it (docs/runtime.md). None for the single executable, which the
   * launcher finds beside itself, nor where the stanza runs Node itself.
   */
  stanza: CommandLine & { node?: string };
}

export interface InvocationFacts {
  /** Absolute path of the Node entry script (bin/kube-csr-login.cjs or the bundled release file). */
  entryScript: string;
  /** process.execPath: Node, or the single executable itself. */
  execPath: string;
  singleExecutable: boolean;
  /** KUBE_CSR_LOGIN_NODE as this process got it: the Node the user named, maybe a stable link. */
  nodeVariable?: string | undefined;
  /** KUBE_CSR_LOGIN_LAUNCHER: the path kubectl or the shell ran the sh launcher by. */
  launcher: string | undefined;
  platform: NodeJS.Platform;
}

export function invocation(facts: InvocationFacts): Invocation {
  const self = facts.singleExecutable ? { command: facts.execPath, args: [] } : { command: facts.execPath, args: [facts.entryScript] };
  return { self, stanza: stanzaCommand(facts, self) };
}

function stanzaCommand(facts: InvocationFacts, self: CommandLine): Invocation['stanza'] {
  // execPath is resolved (Homebrew's is versioned): a Node named by absolute path is kept as named
  const named = facts.nodeVariable && path.isAbsolute(facts.nodeVariable) ? facts.nodeVariable : undefined;
  const node = facts.singleExecutable ? {} : { node: named ?? facts.execPath };
  // The launcher's own name, not the file it resolves to: npm and krew link the command, and krew's
  // target holds the version (store/csr-login/v0.1.0/...), which an upgrade removes.
  // Cleaned as kubectl cleans it before matching its allowlist: the launcher names itself $PWD/$0,
  // which can read /home/jean/./bin/kube-csr-login.
  if (facts.launcher && path.isAbsolute(facts.launcher) && facts.platform !== 'win32')
    return { command: goClean(facts.launcher, facts.platform), args: [], ...node };
  if (facts.singleExecutable || facts.platform === 'win32') return self;
  // Node ran the entry directly: the sh launcher beside it serves cache hits without Node.
  return { command: facts.entryScript.replace(/\.cjs$/, ''), args: [], ...node };
}
