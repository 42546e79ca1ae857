// The approver's control loop, put together from its parts. With leader election, it tries to take
// or renew the Lease every retry period (leadership.ts). While leading: list CSRs (as table rows)
// and watch them (csr-watch.ts), queue the pending ones, let the workers judge them (judge-queued.ts:
// from the object the watch delivered, kept only while it waits (delivered-objects.ts), else read in
// full; the requester's ServiceAccount always read fresh). Stops on the signal and releases the Lease.
import { describe } from '../errors.js';
import { parseServiceAccount } from '../kube/service-account.js';
import type { ApproverApi } from './approver-api.js';
import { watchCsrs } from './csr-watch.js';
import { deliveredObjects } from './delivered-objects.js';
import { ReportedVersions } from './dry-run.js';
import { issuanceRecorder } from './issuance-record.js';
import { judgeQueued } from './judge-queued.js';
import type { Elector } from './leader-election.js';
import { lead } from './leadership.js';
import type { ListWatchDeps } from './list-watch.js';
import { type Metrics, countingRestarts } from './metrics.js';
import type { PolicyConfig } from './policy.js';
import type { ProcessDeps } from './process-csr.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerDeps extends ListWatchDeps {
  api: ApproverApi;
  /** undefined: no leader election (a single replica). */
  elector: Elector | undefined;
  metrics: Metrics;
}

export interface ControllerOptions extends PolicyConfig {
  workers: number;
  /** How long each watch request lasts before it is resumed. */
  watchTimeoutSeconds: number;
  /** Shadow mode: decide and report (log, Events, metrics) without writing any decision. */
  dryRun?: boolean;
}

export interface Controller {
  state: { leader: boolean; csrsSynced: boolean };
  /** A standby is ready; a leader once its CSR list is complete. */
  ready: () => boolean;
  run: (signal: AbortSignal) => Promise<void>;
}

export function createController(deps: ControllerDeps, options: ControllerOptions): Controller {
  const state = { leader: deps.elector === undefined, csrsSynced: false };
  const queue = new WorkQueue();
  const config: PolicyConfig = { usersNamespace: options.usersNamespace, maxExpirationSeconds: options.maxExpirationSeconds };
  const delivered = deliveredObjects(queue, config);
  deps.metrics.queueDepth(() => queue.size);
  deps.metrics.setDryRun(options.dryRun === true);
  const processDeps: ProcessDeps = {
    ...deps,
    config,
    ...(options.dryRun ? { dryRun: new ReportedVersions() } : {}),
    serviceAccount: async (name: string) => {
      const raw = await deps.api.getServiceAccount(options.usersNamespace, name);
      return raw === undefined ? undefined : parseServiceAccount(raw);
    },
  };
  const recordIssuance = issuanceRecorder({ config, log: deps.log, now: deps.now, issued: () => deps.metrics.certificateIssued() });
  const csrWatch = {
    source: countingRestarts(deps.api.csrs, deps.metrics, 'certificatesigningrequests'),
    queue,
    delivered,
    config,
    synced: () => void (state.csrsSynced = true),
    watchTimeoutSeconds: options.watchTimeoutSeconds,
    ...(options.dryRun ? {} : { observe: recordIssuance }),
  };
  const queued = { process: processDeps, delivered, queue, state, sleep: deps.sleep, log: deps.log };

  return {
    state,
    ready: () => !state.leader || state.csrsSynced,
    run: async (signal) => {
      deps.metrics.setLeader(state.leader);
      signal.addEventListener('abort', () => queue.close(), { once: true });
      await Promise.all([
        lead(deps, state, (leading) => watchCsrs(csrWatch, deps, leading), signal),
        queue.run(options.workers, judgeQueued(queued, signal)),
      ]);
      state.leader = false;
      deps.metrics.setLeader(false);
      if (deps.elector) await deps.elector.release().catch((error: unknown) => deps.log(`could not release the lease: ${describe(error)}`));
    },
  };
}
