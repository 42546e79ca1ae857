// The approver's control loop. With leader election, it tries to take or renew the Lease every retry
// period. While leading: list CSRs (as table rows) and watch them, queue the pending ones, let the
// workers judge them (from the object the watch delivered, kept only while it waits, else read in
// full; the requester's ServiceAccount always read fresh). Stops on the signal and releases the Lease.
import { describe } from '../errors.js';
import { parseCsrObject } from '../kube/csr-object.js';
import { type Json, isRecord } from '../util/validate.js';
import type { ApproverApi } from './approver-api.js';
import type { Elector } from './leader-election.js';
import { type ListWatchDeps, listWatch } from './list-watch.js';
import { type Metrics, countingRestarts } from './metrics.js';
import { ReportedVersions } from './dry-run.js';
import { type PolicyConfig, requester, userOf } from './policy.js';
import { processCsr } from './process-csr.js';
import { issuanceRecorder } from './issuance-record.js';
import { parseServiceAccount } from '../kube/service-account.js';
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
  /** The latest object of each queued CSR: judged without a GET (the approval's resourceVersion
   * guard turns a stale one into a conflict, which is judged again on a fresh read). */
  const delivered = new Map<string, Json>();
  const config: PolicyConfig = { usersNamespace: options.usersNamespace, maxExpirationSeconds: options.maxExpirationSeconds };
  deps.metrics.queueDepth(() => queue.size);
  deps.metrics.setDryRun(options.dryRun === true);
  const processDeps = {
    ...deps,
    config,
    ...(options.dryRun ? { dryRun: new ReportedVersions() } : {}),
    serviceAccount: async (name: string) => {
      const raw = await deps.api.getServiceAccount(options.usersNamespace, name);
      return raw === undefined ? undefined : parseServiceAccount(raw);
    },
  };

  const recordIssuance = issuanceRecorder({ config, log: deps.log, now: deps.now, issued: () => deps.metrics.certificateIssued() });
  const csrSource = countingRestarts(deps.api.csrs, deps.metrics, 'certificatesigningrequests');
  const enqueueIfOurs = (object: Json) => {
    let csr;
    try {
      csr = parseCsrObject(object);
    } catch {
      return; // unreadable CSR: not ours to judge
    }
    if ('user' in requester(csr, config)) {
      delivered.set(csr.name, object);
      queue.add(csr.name);
    } else delivered.delete(csr.name); // decided meanwhile: a queued name finds it on a fresh read
  };

  const handle = (signal: AbortSignal) => async (name: string) => {
    const object = delivered.get(name);
    delivered.delete(name); // a retry or requeue reads the CSR afresh
    if (!state.leader || signal.aborted) return;
    const later = (ms: number) => void deps.sleep(ms, signal).then(() => !signal.aborted && queue.add(name));
    try {
      if ((await processCsr(processDeps, name, object)) === 'conflict') queue.add(name);
    } catch (error) {
      deps.log(`CSR ${name}: ${describe(error)} (will retry)`);
      later(2_000);
    }
  };

  const watchCsrs = (signal: AbortSignal) =>
    listWatch(
      csrSource,
      {
        page: (rows) => {
          // only pending ones (or rows the table cannot tell about) of our users: read in full by the worker
          for (const row of rows)
            if (row.condition === 'Pending' && (row.requester === undefined || userOf(row.requester, config) !== undefined))
              queue.add(row.name);
        },
        listed: () => {
          state.csrsSynced = true;
        },
        event: (type, object) => {
          if (type !== 'DELETED' && !options.dryRun) recordIssuance(object);
          if (type !== 'DELETED') enqueueIfOurs(object);
          else if (isRecord(object.metadata) && typeof object.metadata.name === 'string') delivered.delete(object.metadata.name);
        },
      },
      deps,
      { what: 'watching CSRs', watchTimeoutSeconds: options.watchTimeoutSeconds, signal },
    );

  const lead = async (signal: AbortSignal) => {
    let leading: AbortController | undefined;
    const running = new Set<Promise<void>>();
    const follow = (leader: boolean) => {
      if (leader && !leading) {
        leading = new AbortController();
        const watching = watchCsrs(AbortSignal.any([signal, leading.signal]));
        running.add(watching);
        void watching.finally(() => running.delete(watching));
      } else if (!leader && leading) {
        leading.abort();
        leading = undefined;
        state.csrsSynced = false;
      }
    };
    if (!deps.elector) follow(true);
    while (deps.elector && !signal.aborted) {
      const { leader, error, nextInMs } = await deps.elector.step();
      if (error) deps.log(`lease: ${error}`);
      if (leader !== state.leader) deps.log(leader ? 'became the leader' : 'not the leader; standing by');
      state.leader = leader;
      deps.metrics.setLeader(leader);
      follow(leader);
      await deps.sleep(nextInMs, signal);
    }
    if (!deps.elector) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    await Promise.all([...running]);
  };

  return {
    state,
    ready: () => !state.leader || state.csrsSynced,
    run: async (signal) => {
      deps.metrics.setLeader(state.leader);
      signal.addEventListener('abort', () => queue.close(), { once: true });
      await Promise.all([lead(signal), queue.run(options.workers, handle(signal))]);
      state.leader = false;
      deps.metrics.setLeader(false);
      if (deps.elector) await deps.elector.release().catch((error: unknown) => deps.log(`could not release the lease: ${describe(error)}`));
    },
  };
}
