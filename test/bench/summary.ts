// Prints the benchmark's outcome: a header (date, Node, CPUs), the table, notes, and with --json a
// last line holding one JSON object with every named figure, ratio and raw median.
import os from 'node:os';
import { type Row, ratio, table, verdict } from './report.js';
import { results } from './results.js';

const figure = (name: string): Row | undefined => results.rows.find((r) => r.figure === name);
const ratioOf = (name: string): number | null => {
  const row = figure(name);
  return row ? ratio(row) : null;
};

export async function printResults(json: boolean): Promise<void> {
  const date = new Date().toISOString();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`kube-csr-login bench, ${date}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  out(table(results.rows));
  for (const note of results.notes) out(`note: ${note}`);
  const failed = results.rows.filter((r) => verdict(r) === 'FAIL').map((r) => r.figure);
  out(failed.length ? `targets missed: ${failed.join(', ')}` : 'all targets met');
  if (!json) return;
  const summary = {
    date,
    node: process.version,
    cpus: os.cpus().length,
    cacheHitVsGkePlugin: ratioOf('cacheHitVsGkePlugin'),
    nodePathVsNodeFloor: ratioOf('nodePathVsNodeFloor'),
    nodeFullPathVsNodeFloor: ratioOf('nodeFullPathVsNodeFloor (extra)'),
    nodePathPeakVsNodeFloor: ratioOf('nodePathPeakVsNodeFloor'),
    blockingRenewalVsSeedFlow: ratioOf('blockingRenewalVsSeedFlow'),
    parallel32Csrs: results.raw.parallel32Csrs ?? null,
    parallel32VsSingle: ratioOf('parallel32VsSingle'),
    approverVsKcm: ratioOf('approverVsKcm'),
    approverPeakKiB: results.raw.approverPeakKiB ?? null,
    approverVsKcmUnthrottled: ratioOf('approverVsKcmUnthrottled'),
    approverIdleVsNodeFloor: ratioOf('approverIdleVsNodeFloor'),
    approver100kVsIdle: ratioOf('approver100kVsIdle'),
    approverP99DecisionMs: figure('approverP99DecisionMs')?.ours ?? null,
    approverBurst280P99Ms: figure('approverBurst280P99Ms')?.ours ?? null,
    approverDecisionCpuMs: figure('approverDecisionCpuMs')?.ours ?? null,
    failoverRounds: results.raw.failoverRounds ?? null,
    failoverStuckCsrs: results.raw.failoverStuckCsrs ?? null,
    seaStartVsNodeBundle: ratioOf('seaStartVsNodeBundle'),
    failed,
    raw: results.raw,
    notes: results.notes,
  };
  out(JSON.stringify(summary));
}
