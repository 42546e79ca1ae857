// The leadership loop: with an elector, take or renew the Lease every retry period and follow the
// result, starting the leader's work on becoming the leader and stopping it on losing the lease;
// without one (a single replica), lead until stopped. Resolves once the work has stopped.
import type { Elector } from './leader-election.js';
import type { Metrics } from './metrics.js';

export interface LeadershipDeps {
  /** undefined: no leader election (a single replica). */
  elector: Elector | undefined;
  metrics: Metrics;
  log: (line: string) => void;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface LeaderState {
  leader: boolean;
  csrsSynced: boolean;
}

/** work: what a leader does until its signal aborts (the stop signal, or the lease lost). */
export async function lead(deps: LeadershipDeps, state: LeaderState, work: (signal: AbortSignal) => Promise<void>, signal: AbortSignal) {
  let leading: AbortController | undefined;
  const running = new Set<Promise<void>>();
  const follow = (leader: boolean) => {
    if (leader && !leading) {
      leading = new AbortController();
      const working = work(AbortSignal.any([signal, leading.signal]));
      running.add(working);
      void working.finally(() => running.delete(working));
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
}
