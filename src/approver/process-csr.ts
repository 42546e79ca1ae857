// Judges one CSR by name and records the decision through the approval subresource. Reads the
// CSR fresh (the queue holds names only), so memory stays flat in the number of decided CSRs.
import { isKclError } from '../errors.js';
import { parseCsrObject } from '../kube/csr-object.js';
import { isRecord } from '../util/validate.js';
import type { ApproverApi } from './approver-api.js';
import { readCsrFacts } from './csr-facts.js';
import type { Metrics } from './metrics.js';
import { type Decision, type PolicyConfig, decide } from './policy.js';

export interface ProcessDeps {
  api: ApproverApi;
  config: PolicyConfig;
  metrics: Metrics;
  now: () => Date;
  log: (line: string) => void;
}

export type Outcome = 'approved' | 'denied' | 'ignored' | 'gone' | 'conflict';

export async function processCsr(deps: ProcessDeps, name: string): Promise<Outcome> {
  const raw = await deps.api.getRaw(name);
  if (!raw) return 'gone';
  let csr;
  try {
    csr = parseCsrObject(raw);
  } catch {
    return 'ignored';
  }
  const first = decide({ csr, facts: undefined, serviceAccount: undefined }, deps.config);
  if (first.action === 'ignore') return 'ignored';
  const user = (csr.username ?? '').split(':').at(-1) ?? '';
  const [facts, serviceAccount] = await Promise.all([
    readCsrFacts(csr.requestPem).catch(() => undefined),
    deps.api.serviceAccountGroups(deps.config.usersNamespace, user),
  ]);
  const decision = decide({ csr, facts, serviceAccount }, deps.config);
  if (decision.action === 'ignore') return 'ignored';
  try {
    await deps.api.updateApproval(name, withCondition(raw, decision, deps.now()));
  } catch (error) {
    if (isKclError(error, 'conflict')) return 'conflict';
    if (isKclError(error, 'notFound')) return 'gone';
    throw error;
  }
  const result = decision.action === 'approve' ? 'approved' : 'denied';
  deps.metrics.decision(result, decision.reason, (deps.now().getTime() - csr.creationTimestamp.getTime()) / 1000);
  deps.log(`${result} CSR ${name} from ${csr.username}: ${decision.reason}: ${decision.message}`);
  const type = decision.action === 'approve' ? 'Normal' : 'Warning';
  deps.api.event(csr, type, decision.reason, decision.message, deps.now()).catch(() => deps.log(`could not record an event for CSR ${name}`));
  return result;
}

function withCondition(raw: Record<string, unknown>, decision: Exclude<Decision, { action: 'ignore' }>, now: Date): Record<string, unknown> {
  const status = isRecord(raw.status) ? raw.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  const condition = {
    type: decision.action === 'approve' ? 'Approved' : 'Denied',
    status: 'True',
    reason: decision.reason,
    message: decision.message,
    lastUpdateTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  return { ...raw, status: { ...status, conditions: [...conditions, condition] } };
}
