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

type Clock = ReturnType<typeof clock>;

function clock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** Candidates a and b on one in-memory lease, each on its clock (one shared clock by default). */
function twoElectors(clockA = clock(0), clockB = clockA) {
  const lease = memoryStore();
  const elector = (identity: string, time: Clock) => createElector({ store: lease.store, now: time.now }, { identity, ...timing });
  return { lease, time: clockA, a: elector('a', clockA), b: elector('b', clockB) };
}

test('the first candidate creates the lease and renews it; the other stays passive', async () => {
  const { lease, time, a, b } = twoElectors(clock(1_000_000));
  expect(await a.step()).toEqual({ leader: true, nextInMs: 2_000 });
  expect(await b.step()).toEqual({ leader: false, nextInMs: 2_000 });
  for (let i = 0; i < 20; i += 1) {
    time.advance(2_000);
    expect((await a.step()).leader).toBe(true);
    expect((await b.step()).leader).toBe(false);
  }
  expect(lease.holder()).toBe('a');
  expect(lease.record()?.transitions).toBe(0);
});

test('a standby takes over only after a full lease duration without renewal, on its own clock', async () => {
  const clockA = clock(1_000_000);
  // b's clock is 1 hour ahead: renewTime values are meaningless to it, only what it observes counts
  const clockB = clock(1_000_000 + 3_600_000);
  const { lease, a, b } = twoElectors(clockA, clockB);
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

test('a renewal seen by the standby restarts its wait, counted from the previous read', async () => {
  const { time, a, b } = twoElectors();
  await a.step();
  await b.step();
  time.advance(8_000);
  await b.step(); // a regular poll: nothing changed since t=0
  time.advance(1_000);
  await a.step(); // renewed at t=9000 (a's last renewal: then it dies)
  time.advance(1_000);
  await b.step(); // sees the change at t=10000: it happened after its previous read at t=8000
  time.advance(12_999);
  expect((await b.step()).leader).toBe(false); // t=22999: 14999 ms after its previous read
  time.advance(2);
  expect((await b.step()).leader).toBe(true); // t=23001: within 15 s of a's last renewal
});

test('after a long gap between reads, the standby counts from at most one retry period back', async () => {
  const { time, a, b } = twoElectors();
  await a.step();
  await b.step();
  time.advance(10_000);
  await a.step(); // renewed at t=10000
  time.advance(1);
  await b.step(); // first read in 10 s: counts from t=8001, not from t=0
  time.advance(12_999);
  expect((await b.step()).leader).toBe(false); // t=23000
  time.advance(2);
  expect((await b.step()).leader).toBe(true); // t=23002: still 13 s after a's renewal, past its 10 s renew deadline
});

test('a standby schedules its next attempt for the moment the lease expires', async () => {
  const { time, a, b } = twoElectors();
  await a.step();
  let step = await b.step(); // first observation at t=0: expires at t=15000
  expect(step.nextInMs).toBe(2_000);
  time.advance(14_000);
  step = await b.step();
  expect(step).toEqual({ leader: false, nextInMs: 1_005 });
  time.advance(step.nextInMs);
  expect((await b.step()).leader).toBe(true);
});

test('a read that fails makes the standby count from its next observation', async () => {
  const { lease, time, a, b } = twoElectors();
  await a.step();
  await b.step();
  time.advance(2_000);
  lease.setDown(true);
  expect((await b.step()).error).toBe('connection refused');
  lease.setDown(false);
  await a.step(); // renewed at t=2000
  time.advance(1_000);
  await b.step(); // sees it at t=3000 with no good read before: counts from t=3000
  time.advance(14_999);
  expect((await b.step()).leader).toBe(false);
});

test('release hands over at once', async () => {
  const { lease, time, a, b } = twoElectors();
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
  const { lease, time, a, b } = twoElectors();
  await a.step();
  lease.setDown(true);
  time.advance(2_000);
  expect(await a.step()).toEqual({ leader: true, nextInMs: 2_000, error: 'connection refused' });
  time.advance(7_000);
  expect((await a.step()).leader).toBe(true);
  time.advance(1_000);
  expect((await a.step()).leader).toBe(false);
  // a standby that never saw it lead does not lead on errors either
  expect((await b.step()).leader).toBe(false);
});

test('two candidates racing for a free lease: exactly one wins', async () => {
  const lease = memoryStore();
  const time = clock(0);
  const electors = ['a', 'b', 'c'].map((identity) => createElector({ store: lease.store, now: time.now }, { identity, ...timing }));
  const results = await Promise.all(electors.map((elector) => elector.step()));
  expect(results.filter((result) => result.leader)).toHaveLength(1);
});
