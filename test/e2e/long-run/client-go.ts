// Builds and runs the long-running client-go program (test/cluster/gomod/longrun-client), collecting
// the events it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot, run, sleep } from '../cluster.js';
import { type ClientEvent, parseClientEvent } from './events.js';

/** The binary, built once per go.sum and source (build-longrun-client.sh caches it outside the clone). */
export async function buildLongRunClient(): Promise<string> {
  const script = path.join(repoRoot, 'test/cluster/build-longrun-client.sh');
  const result = await run('bash', [script], { timeoutMs: 20 * 60_000 });
  if (result.code !== 0)
    throw new Error(
      `building the client-go test program failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`,
    );
  return result.stdout.trim().split('\n').at(-1) ?? '';
}

export interface LongRunClient {
  readonly events: ClientEvent[];
  /** Resolves once the events satisfy the predicate; rejects after timeoutMs or if the client exits. */
  waitFor(what: string, predicate: (events: ClientEvent[]) => boolean, timeoutMs: number): Promise<void>;
  /** Closes its stdin (it stops and prints "end") and waits for it to exit. */
  stop(): Promise<ClientEvent[]>;
}

export function startLongRunClient(binary: string, args: string[], env: Record<string, string>): LongRunClient {
  const child: ChildProcess = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const events: ClientEvent[] = [];
  let stderr = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => {
    exited = true;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => events.push(parseClientEvent(line)));

  return {
    events,
    async waitFor(what, predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (exited) throw new Error(`longrun-client exited while waiting for ${what}; stderr: ${stderr.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${stderr.slice(-2000)}`);
        await sleep(100);
      }
    },
    async stop() {
      if (exited) return events;
      child.stdin?.end();
      let timer: NodeJS.Timeout | undefined;
      const killed = await Promise.race([
        exit.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 15_000))),
      ]);
      clearTimeout(timer);
      if (killed) {
        child.kill('SIGKILL');
        await exit;
        throw new Error(`longrun-client did not stop within 15 s; stderr: ${stderr.slice(-2000)}`);
      }
      if (events.at(-1)?.kind !== 'end') throw new Error(`longrun-client ended without its "end" line; stderr: ${stderr.slice(-2000)}`);
      return events;
    },
  };
}

export const count = (events: ClientEvent[], kind: ClientEvent['kind'], after = 0) =>
  events.filter((e) => e.kind === kind && e.t >= after).length;
