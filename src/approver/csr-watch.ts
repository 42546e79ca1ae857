// The leader's list-watch of CSRs, wired to the queue: list pages (server-side table rows) queue the
// pending CSRs of our users by name, to be read in full by a worker; watch events queue the object
// itself (delivered-objects.ts). The list being complete is what /readyz waits for.
import type { DeliveredObjects } from './delivered-objects.js';
import { type ListWatchDeps, type ListWatchSource, listWatch } from './list-watch.js';
import { type PolicyConfig, userOf } from './policy.js';
import type { Json } from '../util/validate.js';
import type { CsrRow } from './csr-table.js';
import type { WorkQueue } from './work-queue.js';

export interface CsrWatch {
  source: ListWatchSource<CsrRow>;
  queue: WorkQueue;
  delivered: DeliveredObjects;
  config: PolicyConfig;
  /** Called once each list is complete. */
  synced: () => void;
  watchTimeoutSeconds: number;
  /** Sees each object an ADDED or MODIFIED event delivers, before it is queued (the issuance record). */
  observe?: (object: Json) => void;
}

export function watchCsrs(watch: CsrWatch, deps: ListWatchDeps, signal: AbortSignal): Promise<void> {
  const { queue, delivered, config } = watch;
  return listWatch(
    watch.source,
    {
      page: (rows) => {
        // only pending ones (or rows the table cannot tell about) of our users: read in full by the worker
        for (const row of rows)
          if (row.condition === 'Pending' && (row.requester === undefined || userOf(row.requester, config) !== undefined))
            queue.add(row.name);
      },
      listed: watch.synced,
      event: (type, object) => {
        if (type === 'DELETED') return delivered.deleted(object);
        watch.observe?.(object);
        delivered.offer(object);
      },
    },
    deps,
    { what: 'watching CSRs', watchTimeoutSeconds: watch.watchTimeoutSeconds, signal },
  );
}
