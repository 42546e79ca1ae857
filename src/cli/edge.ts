// The process edge: the only place that reads process.env, argv, stdio and the clock. Commands get
// an Edge and build their use case's deps from it.
import { isatty } from 'node:tty';
import { type Dirs, resolveDirs } from './dirs.js';
import { writeStdout } from './stdout.js';

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

export function dirs(edge: Edge): Promise<Dirs> {
  return resolveDirs(edge.env, edge.platform);
}

export function processEdge(entryScript: string, verbose: boolean): Edge {
  return {
    env: process.env,
    stdout: writeStdout,
    stderr: (text) => process.stderr.write(text),
    // isatty, not process.stdin/stderr: their getters build stream objects a cache miss never uses
    stderrIsTerminal: isatty(2),
    stdinIsTerminal: isatty(0),
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
