// Leader election against an in-memory Lease store (with resource versions, like the API server)
// and fake clocks: one leader at a time, a standby takes over only after a full lease duration of
// no change as seen on its own clock, at once after a release, and a leader that cannot renew
// steps down after the renew deadline.
import { expect, test } from '@jest/globals';
import { createElector } from '../../../src/approver/leader-election.js';
import type { LeaseRecord, LeaseStore } from '../../../src/approver/lease-store.js';

function memoryStore() {
  let stored: { record: LeaseRecord; version: string } | undefined;
  let version = 0;
  let down = false;
  const check = () => {
    if (down) throw new Error('connection refused');
  };
  const store: LeaseStore = {
    async get() {
      check();
      return stored && { record: { ...stored.record }, version: stored.version };
    },
    async create(record) {
      check();
      if (stored) return false;
      stored = { record: { ...record }, version: String((version += 1)) };
      return true;
    },
    async update(record, expected) {
      check();
      if (!stored || stored.version !== expected) return false;
      stored = { record: { ...record }, version: String((version += 1)) };
      return true;
    },
  };
  return { store, holder: () => stored?.record.holder, record: () => stored?.record, setDown: (value: boolean) => (down = value) };
}

function clock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000 };

test('the first candidate creates the lease and renews it; the other stays passive', async () => {
  const lease = memoryStore();
  const time = clock(1_000_000);
  const a = createElector({ store: lease.store, now: time.now }, { identity: 'a', ...timing });
  const b = createElector({ store: lease.store, now: time.now }, { identity: 'b', ...timing });
  expect(await a.step()).toEqual({ leader: true });
  expect(await b.step()).toEqual({ leader: false });
  for (let i = 0; i < 20; i += 1) {
    time.advance(2_000);
    expect((await a.step()).leader).toBe(true);
    expect((await b.step()).leader).toBe(false);
  }
  expect(lease.holder()).toBe('a');
  expect(lease.record()?.transitions).toBe(0);
});

test('a standby takes over only after a full lease duration without renewal, on its own clock', async () => {
  const lease = memoryStore();
  const clockA = clock(1_000_000);
  // b's clock is 1 hour ahead: renewTime values are meaningless to it, only what it observes counts
  const clockB = clock(1_000_000 + 3_600_000);
  const a = createElector({ store: lease.store, now: clockA.now }, { identity: 'a', ...timing });
  const b = createElector({ store: lease.store, now: clockB.now }, { identity: 'b', ...timing });
  await a.step();
  expect((await b.step()).leader).toBe(false); // first observation of a's record
  // a dies: no more renewals
  clockB.advance(14_000);
  expect((await b.step()).leader).toBe(false);
  clockB.advance(1_001);
  expect((await b.step()).leader).toBe(true);
  expect(lease.holder()).toBe('b');
  expect(lease.record()?.transitions).toBe(1);
  // a comes back: it sees b holding a fresh lease and does not lead
  clockA.advance(20_000);
  expect((await a.step()).leader).toBe(false);
});

test('a renewal seen by the standby restarts its wait', async () => {
  const lease = memoryStore();
  const time = clock(0);
  const a = createElector({ store: lease.store, now: time.now }, { identity: 'a', ...timing });
  const b = createElector({ store: lease.store, now: time.now }, { identity: 'b', ...timing });
  await a.step();
  await b.step();
  time.advance(10_000);
  await a.step(); // renewed
  time.advance(1);
  await b.step(); // observes the change at t=10001
  time.advance(14_000);
  expect((await b.step()).leader).toBe(false);
  time.advance(1_000);
  expect((await b.step()).leader).toBe(true);
});

test('release hands over at once', async () => {
  const lease = memoryStore();
  const time = clock(0);
  const a = createElector({ store: lease.store, now: time.now }, { identity: 'a', ...timing });
  const b = createElector({ store: lease.store, now: time.now }, { identity: 'b', ...timing });
  await a.step();
  expect((await b.step()).leader).toBe(false);
  await a.release();
  expect(lease.holder()).toBe('');
  time.advance(1);
  expect((await b.step()).leader).toBe(true);
  await b.release();
  await a.release(); // not the holder: a no-op
  expect(lease.holder()).toBe('');
});

test('a leader that cannot reach the API keeps leading until the renew deadline, then steps down', async () => {
  const lease = memoryStore();
  const time = clock(0);
  const a = createElector({ store: lease.store, now: time.now }, { identity: 'a', ...timing });
  await a.step();
  lease.setDown(true);
  time.advance(2_000);
  expect(await a.step()).toEqual({ leader: true, error: 'connection refused' });
  time.advance(7_000);
  expect((await a.step()).leader).toBe(true);
  time.advance(1_000);
  expect((await a.step()).leader).toBe(false);
  // a standby that never saw it lead does not lead on errors either
  const b = createElector({ store: lease.store, now: time.now }, { identity: 'b', ...timing });
  expect((await b.step()).leader).toBe(false);
});

test('two candidates racing for a free lease: exactly one wins', async () => {
  const lease = memoryStore();
  const time = clock(0);
  const electors = ['a', 'b', 'c'].map((identity) => createElector({ store: lease.store, now: time.now }, { identity, ...timing }));
  const results = await Promise.all(electors.map((elector) => elector.step()));
  expect(results.filter((result) => result.leader)).toHaveLength(1);
});
