// The approver's /metrics text (every family an SRE expects, bounded labels) and its log sink
// (text lines escaped, JSON lines with decision fields), with fixed clocks and in-memory sources.
import { expect, test } from '@jest/globals';
import { ReportedVersions } from '../../../src/approver/dry-run.js';
import { createLog } from '../../../src/approver/log.js';
import { countingRestarts, createMetrics } from '../../../src/approver/metrics.js';
import type { ListWatchSource } from '../../../src/approver/list-watch.js';

test('metrics: decisions by decision and reason, latency histogram, queue depth, watch restarts, leader, dry run', async () => {
  const metrics = createMetrics();
  let depth = 3;
  metrics.queueDepth(() => depth);
  metrics.decision('approved', 'KubeCsrLoginApproved', 0.2);
  metrics.decision('denied', 'GroupNotAllowed', 7);
  metrics.decision('denied', 'GroupNotAllowed', 400);
  metrics.setLeader(true);
  const source: ListWatchSource = { list: async () => '1', watch: async function* () {} };
  const counted = countingRestarts(source, metrics, 'certificatesigningrequests');
  for (let i = 0; i < 3; i += 1) for await (const _ of counted.watch('1', 5, new AbortController().signal)) void _;
  depth = 5;
  const text = metrics.render();
  expect(text).toContain('kube_csr_login_approver_decisions_total{decision="approved",reason="KubeCsrLoginApproved"} 1\n');
  expect(text).toContain('kube_csr_login_approver_decisions_total{decision="denied",reason="GroupNotAllowed"} 2\n');
  expect(text).toContain('kube_csr_login_approver_decision_latency_seconds_bucket{le="0.25"} 1\n');
  expect(text).toContain('kube_csr_login_approver_decision_latency_seconds_bucket{le="10"} 2\n');
  expect(text).toContain('kube_csr_login_approver_decision_latency_seconds_bucket{le="+Inf"} 3\n');
  expect(text).toContain('kube_csr_login_approver_decision_latency_seconds_count 3\n');
  expect(text).toContain('kube_csr_login_approver_queue_depth 5\n'); // read at scrape time
  expect(text).toContain('kube_csr_login_approver_watch_restarts_total{resource="certificatesigningrequests"} 2\n'); // the first is no restart
  expect(text).toContain('kube_csr_login_approver_leader 1\n');
  expect(text).toContain('kube_csr_login_approver_dry_run 0\n');
  for (const family of [
    'decisions_total counter',
    'decision_latency_seconds histogram',
    'queue_depth gauge',
    'watch_restarts_total counter',
    'leader gauge',
    'dry_run gauge',
  ]) {
    expect(text).toContain(`# TYPE kube_csr_login_approver_${family}\n`);
  }
});

test('text log: one line per call, control characters and backslashes escaped', () => {
  const out: string[] = [];
  const log = createLog(
    (text) => out.push(text),
    () => new Date('2026-01-01T00:00:00Z'),
  );
  log('denied CSR a\nb\r\u001b[31m\u202e\\n', { csr: 'ignored in text' });
  expect(out).toEqual(['2026-01-01T00:00:00.000Z approver: denied CSR a\\nb\\r\\u001b[31m\\u202e\\\\n\n']);
});

test('JSON log: one JSON document per line with the decision fields', () => {
  const out: string[] = [];
  const log = createLog(
    (text) => out.push(text),
    () => new Date('2026-01-01T00:00:00Z'),
    'json',
  );
  log('approved CSR user=x\ny', { csr: 'user=x\ny', decision: 'approved', reason: 'KubeCsrLoginApproved' });
  expect(out).toHaveLength(1);
  expect(out[0]?.endsWith('\n')).toBe(true);
  expect(out[0]?.slice(0, -1)).not.toContain('\n');
  expect(JSON.parse(out[0] ?? '')).toEqual({
    time: '2026-01-01T00:00:00.000Z',
    msg: 'approved CSR user=x\ny',
    csr: 'user=x\ny',
    decision: 'approved',
    reason: 'KubeCsrLoginApproved',
  });
});

test('dry-run memory is bounded: the oldest reported CSR is forgotten first', () => {
  const versions = new ReportedVersions(2);
  versions.remember('a', '1');
  versions.remember('b', '1');
  versions.remember('c', '1');
  expect([versions.reported('a', '1'), versions.reported('b', '1'), versions.reported('c', '1'), versions.size]).toEqual([
    false,
    true,
    true,
    2,
  ]);
});

test('metrics: decisions per requester, the first 100 requesters by name and the rest as "other"', () => {
  const metrics = createMetrics();
  for (let i = 0; i < 150; i += 1) metrics.requesterDecision(`user-${i}`, 'denied');
  metrics.requesterDecision('user-0', 'denied');
  metrics.requesterDecision('user-0', 'approved');
  metrics.requesterDecision('user-149', 'denied');
  metrics.requesterDecision('quo"te\\', 'denied');
  const samples = metrics
    .render()
    .split('\n')
    .filter((line) => line.startsWith('kube_csr_login_approver_requester_decisions_total{'));
  expect(samples).toContain('kube_csr_login_approver_requester_decisions_total{requester="user-0",decision="denied"} 2');
  expect(samples).toContain('kube_csr_login_approver_requester_decisions_total{requester="user-0",decision="approved"} 1');
  expect(samples).toContain('kube_csr_login_approver_requester_decisions_total{requester="user-99",decision="denied"} 1');
  expect(samples).toContain('kube_csr_login_approver_requester_decisions_total{requester="other",decision="denied"} 52');
  expect(samples).toHaveLength(102);
  expect(metrics.render()).toContain('# TYPE kube_csr_login_approver_requester_decisions_total counter\n');
});
