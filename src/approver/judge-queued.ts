// The queue's handler: a worker judges one queued CSR (from the object the watch delivered, else
// read in full) while this replica leads. A conflict (written in between) queues it again at
// once, to be judged on a fresh read; an error is logged and retried after a pause.
import { describe } from '../errors.js';
import type { DeliveredObjects } from './delivered-objects.js';
import type { LeaderState } from './leadership.js';
import { type ProcessDeps, processCsr } from './process-csr.js';
import type { WorkQueue } from './work-queue.js';

export interface QueuedDeps {
  process: ProcessDeps;
  delivered: DeliveredObjects;
  queue: WorkQueue;
  state: LeaderState;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  log: (line: string) => void;
}

const retryAfterMs = 2_000;

export function judgeQueued(deps: QueuedDeps, signal: AbortSignal): (name: string) => Promise<void> {
  const { queue } = deps;
  return async (name) => {
    const object = deps.delivered.take(name);
    if (!deps.state.leader || signal.aborted) return;
    const later = (ms: number) => void deps.sleep(ms, signal).then(() => !signal.aborted && queue.add(name));
    try {
      if ((await processCsr(deps.process, name, object)) === 'conflict') queue.add(name);
    } catch (error) {
      deps.log(`CSR ${name}: ${describe(error)} (will retry)`);
      later(retryAfterMs);
    }
  };
}
