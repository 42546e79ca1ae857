// An Edge for running the CLI in-process: captured stdout/stderr, the given environment, a fixed
// clock (whose sleeps advance it), fixed randomness and identity.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Edge } from '../../src/cli/edge.js';
import { type TestClock, testClock } from './clock.js';

export interface CapturedEdge extends Edge {
  out: string[];
  err: string[];
  clock: TestClock;
}

const entryScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kube-csr-login.cjs');

export function captureEdge(env: Record<string, string | undefined>, clock: TestClock = testClock()): CapturedEdge {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    clock,
    env,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    stderrIsTerminal: false,
    stdinIsTerminal: false,
    readStdin: async () => '',
    readStdinChunks: async function* () {},
    invocation: {
      self: { command: process.execPath, args: [entryScript] },
      stanza: { command: entryScript.replace(/\.cjs$/, ''), args: [] },
    },
    verbose: false,
    platform: 'linux',
    now: clock.now,
    random: () => 0.5,
    // a real tick, so the I/O a test waits on moves, but the clock moves by the full amount
    sleep: async (ms) => {
      clock.advance(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 10)));
    },
    home: env.HOME ?? '/nonexistent-home',
    pid: 4242,
    hostname: 'test-host',
    uid: process.getuid?.(),
  };
}
