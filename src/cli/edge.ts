// The process edge and the only composition root: the one place that reads process.env, argv, stdio,
// the clock, randomness, the home directory and the process's identity. Commands get an Edge and
// build their use case's deps from it; nothing below src/cli/ reads these itself.
import os from 'node:os';
import path from 'node:path';
import { isSea } from 'node:sea';
import { isatty } from 'node:tty';
import { readAllBounded } from '../util/bounded-read.js';
import { type Dirs, resolveDirs } from './dirs.js';
import { type Invocation, invocation } from './invocation.js';
import { writeStdout } from './stdout.js';

export interface Edge {
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTerminal: boolean;
  stdinIsTerminal: boolean;
  /** All of stdin, refused past maxBytes (util/bounded-read.ts). */
  readStdin: (maxBytes: number) => Promise<string>;
  /** stdin as a stream, for inputs too large to hold (admin trace). */
  readStdinChunks: () => AsyncIterable<Uint8Array>;
  /** How to start this program again (background renewals) and what exec stanzas run. */
  invocation: Invocation;
  verbose: boolean;
  platform: NodeJS.Platform;
  now: () => Date;
  random: () => number;
  /** Resolves after ms, or early when the signal aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  home: string;
  pid: number;
  hostname: string;
  /** Undefined where there are no uids (Windows): the cache's ownership rules do not apply there. */
  uid: number | undefined;
}

export function dirs(edge: Edge): Promise<Dirs> {
  return resolveDirs(edge.env, edge.platform, edge.home);
}

/** The real process; verbose from -v/--verbose (the caller strips them) or KUBE_CSR_LOGIN_VERBOSE. */
export function processEdge(entryScript: string, verboseFlag: boolean): Edge {
  return {
    env: process.env,
    stdout: writeStdout,
    stderr: (text) => process.stderr.write(text),
    // isatty, not process.stdin/stderr: their getters build stream objects a cache miss never uses
    stderrIsTerminal: isatty(2),
    stdinIsTerminal: isatty(0),
    readStdin: (maxBytes) => readAllBounded(process.stdin, maxBytes, 'stdin'),
    readStdinChunks: () => process.stdin,
    invocation: invocation({
      entryScript: path.resolve(entryScript),
      execPath: process.execPath,
      singleExecutable: isSea(),
      nodeVariable: process.env.KUBE_CSR_LOGIN_NODE,
      launcher: process.env.KUBE_CSR_LOGIN_LAUNCHER,
      platform: process.platform,
    }),
    verbose: verboseFlag || Boolean(process.env.KUBE_CSR_LOGIN_VERBOSE),
    platform: process.platform,
    now: () => new Date(),
    random: Math.random,
    sleep,
    home: os.homedir(),
    pid: process.pid,
    hostname: os.hostname(),
    uid: process.getuid?.(),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
