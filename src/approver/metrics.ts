// Prometheus metrics in the text exposition format, kept as a few counters (bounded: one series
// per result and reason, fixed buckets), plus the leader gauge.
export interface Metrics {
  decision: (result: string, reason: string, latencySeconds: number) => void;
  setLeader: (leader: boolean) => void;
  render: () => string;
}

const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export function createMetrics(): Metrics {
  const decisions = new Map<string, number>();
  const counts = new Array<number>(buckets.length).fill(0);
  let sum = 0;
  let total = 0;
  let leader = 0;
  return {
    decision(result, reason, latencySeconds) {
      const key = `result="${result}",reason="${reason}"`;
      decisions.set(key, (decisions.get(key) ?? 0) + 1);
      buckets.forEach((bound, index) => {
        if (latencySeconds <= bound) counts[index] = (counts[index] ?? 0) + 1;
      });
      sum += Math.max(0, latencySeconds);
      total += 1;
    },
    setLeader(value) {
      leader = value ? 1 : 0;
    },
    render() {
      const lines = [
        '# HELP kube_csr_login_approver_decisions_total CSR decisions by result and reason.',
        '# TYPE kube_csr_login_approver_decisions_total counter',
        ...[...decisions].map(([labels, value]) => `kube_csr_login_approver_decisions_total{${labels}} ${value}`),
        '# HELP kube_csr_login_approver_decision_latency_seconds Time from CSR creation to decision.',
        '# TYPE kube_csr_login_approver_decision_latency_seconds histogram',
        ...buckets.map((bound, index) => `kube_csr_login_approver_decision_latency_seconds_bucket{le="${bound}"} ${counts[index]}`),
        `kube_csr_login_approver_decision_latency_seconds_bucket{le="+Inf"} ${total}`,
        `kube_csr_login_approver_decision_latency_seconds_sum ${sum}`,
        `kube_csr_login_approver_decision_latency_seconds_count ${total}`,
        '# HELP kube_csr_login_approver_leader 1 while this replica holds the lease.',
        '# TYPE kube_csr_login_approver_leader gauge',
        `kube_csr_login_approver_leader ${leader}`,
      ];
      return `${lines.join('\n')}\n`;
    },
  };
}
