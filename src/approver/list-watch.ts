// A generic informer loop: list, then watch from the list's resourceVersion, resuming from the
// last seen version when a watch ends or drops, listing again on "410 Gone", on errors (with
// back-off) and every resync period. Handlers get raw objects; they validate what they keep.
import { describe } from '../errors.js';
import type { Json } from '../util/validate.js';
import type { RawWatchEvent } from './watch-stream.js';

export interface ListWatchSource {
  /** Lists in pages, each handed over before the next is fetched (memory stays bounded with 10,000s
   * of objects); resolves to the list's resourceVersion. */
  list: (page: (items: Json[]) => void) => Promise<string>;
  watch: (resourceVersion: string, timeoutSeconds: number, signal: AbortSignal) => AsyncIterable<RawWatchEvent>;
}

export interface ListWatchHandlers {
  /** One page of a full list: queue anything pending, collect what a cache keeps. */
  page: (items: Json[]) => void;
  /** The list is complete: replace any cache with what the pages held. */
  listed: () => void;
  event: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: Json) => void;
}

export interface ListWatchDeps {
  now: () => Date;
  /** Resolves after ms, or early when the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  log: (line: string) => void;
}

export interface ListWatchOptions {
  what: string;
  resyncMs: number;
  signal: AbortSignal;
}

const maxBackoffMs = 30_000;

export async function listWatch(source: ListWatchSource, handlers: ListWatchHandlers, deps: ListWatchDeps, options: ListWatchOptions): Promise<void> {
  const { signal } = options;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const resourceVersion = await source.list(handlers.page);
      handlers.listed();
      failures = 0;
      await watchUntilResync(source, handlers, deps, options, resourceVersion);
    } catch (error) {
      if (signal.aborted) return;
      failures += 1;
      const delay = Math.min(maxBackoffMs, 1000 * 2 ** (failures - 1));
      deps.log(`${options.what}: ${describe(error)}; listing again in ${Math.round(delay / 1000)} s`);
      await deps.sleep(delay, signal);
    }
  }
}

/** Watches (resuming after each end) until the resync deadline, or returns early to list again. */
async function watchUntilResync(source: ListWatchSource, handlers: ListWatchHandlers, deps: ListWatchDeps, options: ListWatchOptions, from: string): Promise<void> {
  const deadline = deps.now().getTime() + options.resyncMs;
  let resourceVersion = from;
  while (!options.signal.aborted) {
    const remaining = deadline - deps.now().getTime();
    if (remaining <= 0) return;
    let events = 0;
    for await (const event of source.watch(resourceVersion, remaining / 1000, options.signal)) {
      if (event.type === 'EXPIRED') return;
      events += 1;
      if (event.resourceVersion) resourceVersion = event.resourceVersion;
      if (event.type !== 'BOOKMARK') handlers.event(event.type, event.object);
    }
    // A watch that ended at once without any event is probably failing: pause before resuming.
    if (events === 0 && deadline - deps.now().getTime() > 1000) await deps.sleep(1000, options.signal);
  }
}
