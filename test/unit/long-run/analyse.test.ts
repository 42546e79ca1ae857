// The judge of the long-running client e2e tests: failures are blamed on a certificate swap only when
// in flight at that instant, on an outage only inside it, and anything else is reported.
import { describe, expect, test } from '@jest/globals';
import { analyse } from '../../e2e/long-run/analyse.js';
import type { ClientEvent } from '../../e2e/long-run/events.js';

const ok = (start: number, credentialId: string): ClientEvent => ({
  kind: 'request',
  t: start + 10,
  start,
  end: start + 10,
  ok: true,
  credentialId,
  user: 'u',
});
const failed = (start: number, end: number): ClientEvent => ({
  kind: 'request',
  t: end,
  start,
  end,
  ok: false,
  error: 'use of closed network connection',
});
const issued = (credentialId: string, notBefore: number, notAfter: number): ClientEvent => ({
  kind: 'issued',
  t: 0,
  credentialId,
  notBefore,
  notAfter,
});

describe('analyse', () => {
  test('a request in flight at a swap and the watch it ends are counted for that swap', () => {
    const verdict = analyse([
      issued('A', 0, 100_000),
      issued('B', 0, 100_000),
      { kind: 'watch-open', t: 1 },
      ok(1000, 'A'),
      failed(1200, 1300),
      { kind: 'rotation', t: 1250 },
      { kind: 'watch-closed', t: 1260 },
      { kind: 'watch-open', t: 1270 },
      ok(1400, 'B'),
    ]);
    expect(verdict.rotations).toEqual([{ t: 1250, failedRequests: 1, watchEnds: 1 }]);
    expect([verdict.unexplainedFailures, verdict.unexplainedWatchEnds, verdict.rewatchMs]).toEqual([[], [], [10]]);
    expect([verdict.certificates, verdict.watchOpenAtEnd, verdict.outsideValidity]).toEqual([['A', 'B'], true, 0]);
  });

  test('failures away from a swap are unexplained unless inside an outage', () => {
    const events = [
      { kind: 'watch-open', t: 1 } as const,
      failed(5000, 5100),
      { kind: 'watch-closed', t: 5200 } as const,
      failed(9000, 9100),
    ];
    const verdict = analyse(events, [{ from: 8000, to: 8500 }], 1000);
    expect(verdict.unexplainedFailures).toHaveLength(1);
    expect(verdict.failedInOutages).toBe(1);
    expect(verdict.unexplainedWatchEnds).toEqual([5200]);
    expect(verdict.rewatchMs).toEqual([Number.POSITIVE_INFINITY]);
    expect(verdict.watchOpenAtEnd).toBe(false);
  });

  test('a request made with a certificate past its NotAfter, or one nobody issued to us, is reported', () => {
    const verdict = analyse([issued('A', 0, 1000), ok(1000, 'A'), ok(1100, 'X')]);
    expect([verdict.outsideValidity, verdict.notIssuedToUs]).toEqual([1, ['X']]);
  });
});
