// The approver's control loop: hold the lease, list and watch CSRs, queue the pending ones, let
// workers judge them. A dropped or expired watch is followed by a fresh list; a full resync runs
// every minute so nothing is missed.
import { describe } from '../errors.js';
import { isInProgress, isPending } from '../kube/csr-object.js';
import type { ApiClient } from '../kube/http.js';
import { type LeaseConfig, release, tryAcquire } from './leader-election.js';
import { type ProcessDeps, processCsr } from './process-csr.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerOptions {
  workers: number;
  /** undefined: no leader election (a single replica). */
  lease: LeaseConfig | undefined;
}

export interface ControllerDeps extends ProcessDeps {
  client: ApiClient;
  sleep: (ms: number) => Promise<void>;
}

export interface Controller {
  state: { leader: boolean; synced: boolean; stopped: boolean };
  run: () => Promise<void>;
  stop: () => Promise<void>;
}

const renewEveryMs = 2_000;
const resyncEveryMs = 60_000;

export function createController(deps: ControllerDeps, options: ControllerOptions): Controller {
  const state = { leader: options.lease === undefined, synced: false, stopped: false };
  const queue = new WorkQueue();

  const handle = async (name: string) => {
    if (!state.leader) return;
    try {
      const outcome = await processCsr(deps, name);
      if (outcome === 'conflict') queue.add(name);
    } catch (error) {
      deps.log(`CSR ${name}: ${describe(error)} (will retry)`);
      await deps.sleep(1_000);
      queue.add(name);
    }
  };

  const listAndWatch = async () => {
    while (!state.stopped) {
      if (!state.leader) {
        await deps.sleep(500);
        continue;
      }
      try {
        const { items, resourceVersion } = await deps.api.list();
        for (const csr of items) if (isPending(csr)) queue.add(csr.name);
        state.synced = true;
        const until = deps.now().getTime() + resyncEveryMs;
        for await (const event of deps.api.watch(resourceVersion, resyncEveryMs / 1000)) {
          if (state.stopped || !state.leader || deps.now().getTime() > until) break;
          if (event.type === 'EXPIRED') break;
          if (event.type !== 'DELETED' && isInProgress(event.csr) && isPending(event.csr)) queue.add(event.csr.name);
        }
      } catch (error) {
        deps.log(`watching CSRs failed: ${describe(error)}; listing again`);
        await deps.sleep(1_000);
      }
    }
  };

  const lead = async () => {
    const lease = options.lease;
    if (!lease) return;
    while (!state.stopped) {
      const leader = await tryAcquire(deps.client, lease, deps.now()).catch(() => false);
      if (leader !== state.leader) deps.log(leader ? `became the leader (${lease.identity})` : 'lost the lease; standing by');
      state.leader = leader;
      deps.metrics.setLeader(leader);
      await deps.sleep(renewEveryMs);
    }
  };

  return {
    state,
    run: async () => {
      deps.metrics.setLeader(state.leader);
      await Promise.all([lead(), listAndWatch(), queue.run(options.workers, handle, () => state.stopped)]);
    },
    stop: async () => {
      state.stopped = true;
      if (options.lease && state.leader) await release(deps.client, options.lease);
      state.leader = false;
    },
  };
}
