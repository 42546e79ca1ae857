// Prometheus metrics in the text exposition format, kept as a few counters with bounded label sets
// (decision x reason from the policy's fixed table, two watched resources, decisions per requester
// for the first 100 requesters seen, "other" after that), one latency histogram with fixed buckets,
// and gauges read at scrape time (leader, queue depth, dry run).
import type { ListWatchSource } from './list-watch.js';
export interface Metrics {
  /** decision: approved, denied, or would_approve / would_deny in dry-run mode. */
  decision: (decision: string, reason: string, latencySeconds: number) => void;
  /** The same decision by requester (the ServiceAccount name): who floods the approver shows. */
  requesterDecision: (requester: string, decision: string) => void;
  setLeader: (leader: boolean) => void;
  /** The signer issued a certificate for a CSR this approver approved (issuance-record.ts). */
  certificateIssued: () => void;
  /** A list/watch opened its watch again (after a timeout, an error or a relist). */
  watchRestarted: (resource: string) => void;
  /** Where the queue depth is read from at scrape time. */
  queueDepth: (read: () => number) => void;
  setDryRun: (dryRun: boolean) => void;
  render: () => string;
}

const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const prefix = 'kube_csr_login_approver';
/** Series per requester: at most this many names x 4 decisions, then requester="other". */
const maxRequesterLabels = 100;

export function createMetrics(): Metrics {
  const decisions = new Map<string, number>();
  const restarts = new Map<string, number>();
  const byRequester = new Map<string, number>();
  const requesters = new Set<string>();
  const counts = new Array<number>(buckets.length).fill(0);
  let sum = 0;
  let total = 0;
  let leader = 0;
  let dryRun = 0;
  let issued = 0;
  let depth = () => 0;
  const increment = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const family = (name: string, type: string, help: string, samples: string[]) => [
    `# HELP ${prefix}_${name} ${help}`,
    `# TYPE ${prefix}_${name} ${type}`,
    ...samples,
  ];
  return {
    decision(decision, reason, latencySeconds) {
      increment(decisions, `decision="${decision}",reason="${reason}"`);
      buckets.forEach((bound, index) => {
        if (latencySeconds <= bound) counts[index] = (counts[index] ?? 0) + 1;
      });
      sum += Math.max(0, latencySeconds);
      total += 1;
    },
    requesterDecision(requester, decision) {
      if (!requesters.has(requester) && requesters.size < maxRequesterLabels) requesters.add(requester);
      const label = requesters.has(requester) ? labelValue(requester) : 'other';
      increment(byRequester, `requester="${label}",decision="${decision}"`);
    },
    setLeader(value) {
      leader = value ? 1 : 0;
    },
    certificateIssued() {
      issued += 1;
    },
    watchRestarted(resource) {
      increment(restarts, `resource="${resource}"`);
    },
    queueDepth(read) {
      depth = read;
    },
    setDryRun(value) {
      dryRun = value ? 1 : 0;
    },
    render() {
      const lines = [
        ...family(
          'decisions_total',
          'counter',
          'CSR decisions by decision and reason.',
          [...decisions].map(([labels, value]) => `${prefix}_decisions_total{${labels}} ${value}`),
        ),
        ...family(
          'requester_decisions_total',
          'counter',
          `CSR decisions by requester (the first ${maxRequesterLabels} ServiceAccounts seen; the rest as "other") and decision.`,
          [...byRequester].map(([labels, value]) => `${prefix}_requester_decisions_total{${labels}} ${value}`),
        ),
        ...family('decision_latency_seconds', 'histogram', 'Time from CSR creation to decision.', [
          ...buckets.map((bound, index) => `${prefix}_decision_latency_seconds_bucket{le="${bound}"} ${counts[index]}`),
          `${prefix}_decision_latency_seconds_bucket{le="+Inf"} ${total}`,
          `${prefix}_decision_latency_seconds_sum ${sum}`,
          `${prefix}_decision_latency_seconds_count ${total}`,
        ]),
        ...family('queue_depth', 'gauge', 'CSR names waiting or being judged.', [`${prefix}_queue_depth ${depth()}`]),
        ...family(
          'watch_restarts_total',
          'counter',
          'Watches opened again after the first, by resource.',
          [...restarts].map(([labels, value]) => `${prefix}_watch_restarts_total{${labels}} ${value}`),
        ),
        ...family('certificates_issued_total', 'counter', 'Certificates issued for CSRs this approver approved.', [
          `${prefix}_certificates_issued_total ${issued}`,
        ]),
        ...family('leader', 'gauge', '1 while this replica holds the lease.', [`${prefix}_leader ${leader}`]),
        ...family('dry_run', 'gauge', '1 when decisions are only reported (--dry-run).', [`${prefix}_dry_run ${dryRun}`]),
      ];
      return `${lines.join('\n')}\n`;
    },
  };
}

/** A Prometheus label value: backslash, quote and newline escaped (names are DNS labels, but still). */
function labelValue(text: string): string {
  return text.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** The same source, counting every watch opened after its first as a restart of `resource`. */
export function countingRestarts<Item>(source: ListWatchSource<Item>, metrics: Metrics, resource: string): ListWatchSource<Item> {
  let opened = 0;
  return {
    ...source,
    watch: (...args) => {
      if (opened++ > 0) metrics.watchRestarted(resource);
      return source.watch(...args);
    },
  };
}
