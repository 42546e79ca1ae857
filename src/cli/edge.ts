// The process edge: the only place that reads process.env, argv, stdio and the clock. Commands get
// an Edge and build their use case's deps from it.
import envPaths from 'env-paths';

export interface Edge {
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTerminal: boolean;
  stdinIsTerminal: boolean;
  readStdin: () => Promise<string>;
  /** Absolute path of the Node entry script, to start background renewals and write exec stanzas. */
  entryScript: string;
  nodePath: string;
  verbose: boolean;
  platform: NodeJS.Platform;
}

export interface Dirs {
  cacheDir: string;
  configDir: string;
}

/** KUBE_CSR_LOGIN_CACHE_DIR / _CONFIG_DIR override env-paths (XDG on Linux); the launcher agrees. */
export function dirs(edge: Edge): Dirs {
  const paths = envPaths('kube-csr-login', { suffix: '' });
  return {
    cacheDir: edge.env.KUBE_CSR_LOGIN_CACHE_DIR || paths.cache,
    configDir: edge.env.KUBE_CSR_LOGIN_CONFIG_DIR || paths.config,
  };
}

export function processEdge(entryScript: string, verbose: boolean): Edge {
  return {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTerminal: process.stderr.isTTY === true,
    stdinIsTerminal: process.stdin.isTTY === true,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks).toString('utf8');
    },
    entryScript,
    nodePath: process.execPath,
    verbose,
    platform: process.platform,
  };
}
