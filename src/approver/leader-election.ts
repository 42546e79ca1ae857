// Leader election on a Lease, with client-go's semantics. The holder renews every retry period; a
// candidate takes the lease only when it is free (released) or when the record has not changed for
// a whole lease duration *as measured on the candidate's own clock* (observed time), so clock skew
// between replicas does not matter. A leader that cannot renew for renewDeadline steps down.
// Two refinements so a dead leader is replaced within the lease duration of its last renewal
// (client-go takes up to a retry period more, twice): a change first seen at this poll happened
// after the previous poll (at most a retry period ago), so that is when the candidate counts from;
// and the candidate's next attempt is scheduled for the moment the lease expires, not the next tick.
// Safe: the old leader stopped acting renewDeadline after its last renewal, well before that.
import { describe } from '../errors.js';
import { type LeaseRecord, type LeaseStore, microTime } from './lease-store.js';

export interface ElectorConfig {
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface ElectorDeps {
  store: LeaseStore;
  /** Milliseconds, monotonic enough for durations. */
  now: () => number;
}

interface Step {
  leader: boolean;
  /** When to call step() again: the retry period, or sooner when the holder's lease expires sooner. */
  nextInMs: number;
  error?: string;
}

export interface Elector {
  /** One acquire-or-renew attempt; returns whether we lead now. Never throws. */
  step: () => Promise<Step>;
  /** Gives the lease up if we hold it, so a standby takes over at once. */
  release: () => Promise<void>;
}

export function createElector(deps: ElectorDeps, config: ElectorConfig): Elector {
  let observed: { key: string; at: number } | undefined;
  let lastRenewed: number | undefined;
  /** When the previous successful read of the lease happened. */
  let lastRead: number | undefined;
  let expiresAt: number | undefined;

  const attempt = async (now: number): Promise<boolean> => {
    expiresAt = undefined;
    const current = await deps.store.get();
    const previousRead = lastRead;
    lastRead = now;
    const fresh: LeaseRecord = {
      holder: config.identity,
      durationSeconds: Math.ceil(config.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      transitions: 0,
    };
    if (!current) return deps.store.create(fresh);
    const key = JSON.stringify(current.record);
    if (observed?.key !== key) {
      const since = previousRead === undefined || observed === undefined ? now : Math.max(previousRead, now - config.retryPeriodMs);
      observed = { key, at: since };
    }
    const { holder, durationSeconds } = current.record;
    const ours = holder === config.identity;
    if (!ours && holder !== '' && observed.at + durationSeconds * 1000 > now) {
      expiresAt = observed.at + durationSeconds * 1000;
      return false;
    }
    const next: LeaseRecord = ours
      ? { ...current.record, durationSeconds: fresh.durationSeconds, renewTime: fresh.renewTime }
      : { ...fresh, transitions: current.record.transitions + 1 };
    return deps.store.update(next, current.version);
  };

  return {
    async step() {
      const now = deps.now();
      try {
        const leader = await attempt(now);
        lastRenewed = leader ? now : undefined;
        // a few ms past the expiry, so the next read finds it expired by this clock
        const nextInMs =
          expiresAt === undefined ? config.retryPeriodMs : Math.max(10, Math.min(config.retryPeriodMs, expiresAt + 5 - deps.now()));
        return { leader, nextInMs };
      } catch (error) {
        // The API is unreachable: keep leading only while the last renewal is recent enough.
        const leader = lastRenewed !== undefined && now - lastRenewed < config.renewDeadlineMs;
        if (!leader) lastRenewed = undefined;
        lastRead = undefined; // a gap in reads: count from the next observation, not from before it
        return { leader, nextInMs: config.retryPeriodMs, error: describe(error) };
      }
    },
    async release() {
      if (lastRenewed === undefined) return;
      lastRenewed = undefined;
      const current = await deps.store.get();
      if (!current || current.record.holder !== config.identity) return;
      const now = microTime(deps.now());
      await deps.store.update({ ...current.record, holder: '', durationSeconds: 1, renewTime: now }, current.version);
    },
  };
}
