// Leader election on a Lease, with client-go's semantics. The holder renews every retry period; a
// candidate takes the lease only when it is free (released) or when the record has not changed for
// a whole lease duration *as measured on the candidate's own clock* (observed time), so clock skew
// between replicas does not matter. A leader that cannot renew for renewDeadline steps down.
import { describe } from '../errors.js';
import { type LeaseRecord, type LeaseStore, microTime } from './lease-store.js';

export interface ElectorConfig {
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
}

export interface ElectorDeps {
  store: LeaseStore;
  /** Milliseconds, monotonic enough for durations. */
  now: () => number;
}

export interface Elector {
  /** One acquire-or-renew attempt; returns whether we lead now. Never throws. */
  step: () => Promise<{ leader: boolean; error?: string }>;
  /** Gives the lease up if we hold it, so a standby takes over at once. */
  release: () => Promise<void>;
}

export function createElector(deps: ElectorDeps, config: ElectorConfig): Elector {
  let observed: { key: string; version: string; at: number } | undefined;
  let lastRenewed: number | undefined;

  const attempt = async (now: number): Promise<boolean> => {
    const current = await deps.store.get();
    const fresh: LeaseRecord = { holder: config.identity, durationSeconds: Math.ceil(config.leaseDurationMs / 1000), acquireTime: microTime(now), renewTime: microTime(now), transitions: 0 };
    if (!current) return deps.store.create(fresh);
    const key = JSON.stringify(current.record);
    if (observed?.key !== key) observed = { key, version: current.version, at: now };
    const { holder, durationSeconds } = current.record;
    const ours = holder === config.identity;
    if (!ours && holder !== '' && observed.at + durationSeconds * 1000 > now) return false;
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
        return { leader };
      } catch (error) {
        // The API is unreachable: keep leading only while the last renewal is recent enough.
        const leader = lastRenewed !== undefined && now - lastRenewed < config.renewDeadlineMs;
        if (!leader) lastRenewed = undefined;
        return { leader, error: describe(error) };
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
