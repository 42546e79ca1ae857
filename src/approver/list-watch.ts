// A generic informer loop: list (in pages), then watch from the list's resourceVersion, resuming
// from the last version seen (events and bookmarks) when a watch ends or drops. It lists again only
// on "410 Gone" or an error (with back-off), never on a timer: at 100,000 objects a periodic relist
// would parse them all again, and a resumed watch misses nothing. Handlers get raw objects one page
// or event at a time and keep only what they need (the page is dropped before the next is fetched).
import { describe } from '../errors.js';
import type { Json } from '../util/validate.js';
import type { RawWatchEvent } from '../kube/watch-stream.js';

/** Item: what a list page holds (objects, or rows of a server-side table). */
export interface ListWatchSource<Item = Json> {
  /** Lists in pages, each handed over before the next is fetched (memory stays bounded with 10,000s
   * of objects); resolves to the list's resourceVersion. */
  list: (page: (items: Item[], first: boolean) => void) => Promise<string>;
  watch: (resourceVersion: string, timeoutSeconds: number, signal: AbortSignal) => AsyncIterable<RawWatchEvent>;
}

export interface ListWatchHandlers<Item = Json> {
  /** One page of a full list (first: a new list begins): queue anything pending, keep what a cache needs. */
  page: (items: Item[], first: boolean) => void;
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
  /** How long one watch request lasts before it is resumed (client-go: 5-10 min). */
  watchTimeoutSeconds: number;
  signal: AbortSignal;
}

const maxBackoffMs = 30_000;

export async function listWatch<Item>(
  source: ListWatchSource<Item>,
  handlers: ListWatchHandlers<Item>,
  deps: ListWatchDeps,
  options: ListWatchOptions,
): Promise<void> {
  const { signal } = options;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const resourceVersion = await source.list(handlers.page);
      handlers.listed();
      failures = 0;
      await watchUntilExpired(source, handlers, deps, options, resourceVersion);
    } catch (error) {
      if (signal.aborted) return;
      failures += 1;
      const delay = Math.min(maxBackoffMs, 1000 * 2 ** (failures - 1));
      deps.log(`${options.what}: ${describe(error)}; listing again in ${Math.round(delay / 1000)} s`);
      await deps.sleep(delay, signal);
    }
  }
}

/** Watches, resuming after each end from the last version seen; returns to list again on 410. */
async function watchUntilExpired<Item>(
  source: ListWatchSource<Item>,
  handlers: ListWatchHandlers<Item>,
  deps: ListWatchDeps,
  options: ListWatchOptions,
  from: string,
): Promise<void> {
  let resourceVersion = from;
  while (!options.signal.aborted) {
    const started = deps.now().getTime();
    let events = 0;
    for await (const event of source.watch(resourceVersion, options.watchTimeoutSeconds, options.signal)) {
      if (event.type === 'EXPIRED') return;
      events += 1;
      if (event.resourceVersion) resourceVersion = event.resourceVersion;
      if (event.type !== 'BOOKMARK') handlers.event(event.type, event.object);
    }
    // A watch that ended at once without any event is probably failing: pause before resuming.
    if (events === 0 && deps.now().getTime() - started < 1000) await deps.sleep(1000, options.signal);
  }
}
