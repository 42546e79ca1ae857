// Judges one CSR and records the decision through the approval subresource. Uses the object the
// watch delivered or else reads the CSR (nothing is kept per decided CSR), and reads the requester's
// ServiceAccount too, when the decision gets that far: no copy of 100,000 accounts is kept (memory
// does not grow with users) and none can lag behind a deletion or a group removed from the
// annotation (as kcm's csrapproving asks the API server per CSR). In dry-run mode it reports instead
// of writing.
import { describe, isKclError } from '../errors.js';
import { type CsrObject, parseCsrObject } from '../kube/csr-object.js';
import { rfc3339Seconds } from '../util/time.js';
import { type Json, isRecord } from '../util/validate.js';
import type { ApproverApi } from './approver-api.js';
import { tryReadCsrFacts } from './csr-facts.js';
import { escapeControl } from './escape.js';
import type { Metrics } from './metrics.js';
import { type Decision, type PolicyConfig, type PolicyInput, decide, requester } from './policy.js';
import type { ServiceAccountInfo } from '../kube/service-account.js';
import type { ReportedVersions } from './dry-run.js';
import type { Log } from './log.js';

export interface ProcessDeps {
  api: ApproverApi;
  config: PolicyConfig;
  /** The requester's ServiceAccount as the API server has it now; undefined when it does not exist. */
  serviceAccount: (name: string) => Promise<ServiceAccountInfo | undefined>;
  metrics: Metrics;
  now: () => Date;
  log: Log;
  /** Set in --dry-run mode: decisions are logged, counted and recorded as Events, never written. */
  dryRun?: ReportedVersions;
}

/** conflict: someone wrote the CSR in between; the caller queues it again (it is read afresh). */
export type Outcome = 'approved' | 'denied' | 'reported' | 'ignored' | 'gone' | 'conflict';

/** delivered: the CSR as its watch last showed it; read from the API server when absent. */
export async function processCsr(deps: ProcessDeps, name: string, delivered?: Json): Promise<Outcome> {
  const raw = delivered ?? (await deps.api.getRaw(name));
  let csr: CsrObject | undefined;
  try {
    csr = raw && parseCsrObject(raw);
  } catch {
    csr = undefined; // not a CSR we can read: not ours to judge
  }
  const who = csr ? requester(csr, deps.config) : { ignore: 'gone or unreadable' };
  if (!raw || !csr || 'ignore' in who) {
    deps.dryRun?.forget(name);
    return raw ? 'ignored' : 'gone';
  }
  if (deps.dryRun?.reported(name, csr.resourceVersion)) return 'ignored';
  const input = policyInput(raw, csr, undefined);
  let decision = decide(input, deps.config);
  // Without an account only "not a ServiceAccount at all" can be decided; anything else needs the read.
  if (decision.action === 'deny' && decision.reason === 'UnknownServiceAccount') {
    decision = decide({ ...input, serviceAccount: await deps.serviceAccount(who.user) }, deps.config);
  }
  if (decision.action === 'ignore') return 'ignored';
  const message = escapeControl(decision.message); // it quotes user-chosen values (the log escapes its own lines)
  const outcome = decision.action === 'approve' ? 'approved' : 'denied';
  if (deps.dryRun) deps.dryRun.remember(name, csr.resourceVersion);
  else {
    try {
      await deps.api.updateApproval(name, withCondition(raw, { ...decision, message }, deps.now()));
    } catch (error) {
      if (isKclError(error, 'conflict')) return 'conflict';
      if (isKclError(error, 'notFound')) return 'gone';
      throw error;
    }
  }
  const reported = deps.dryRun ? `would_${decision.action}` : outcome;
  deps.metrics.decision(reported, decision.reason, (deps.now().getTime() - csr.creationTimestamp.getTime()) / 1000);
  deps.metrics.requesterDecision(who.user, reported);
  const fields = { csr: name, requester: csr.username ?? '', decision: reported, reason: decision.reason, message: decision.message };
  deps.log(
    `${deps.dryRun ? `dry run: would ${decision.action}` : outcome} CSR ${name} from ${csr.username}: ${decision.reason}: ${decision.message}`,
    fields,
  );
  const type = decision.action === 'approve' ? 'Normal' : 'Warning';
  const eventMessage = deps.dryRun ? `dry run, not written: would ${decision.action}: ${message}` : message;
  deps.api
    .event(csr, type, decision.reason, eventMessage, deps.now())
    .catch((error: unknown) => deps.log(`could not record an event for CSR ${name}: ${describe(error)}`));
  return deps.dryRun ? 'reported' : outcome;
}

/** What the policy judges: the CSR, the requester's uid as the API server set it, the request's facts. */
export function policyInput(raw: Json, csr: CsrObject, serviceAccount: ServiceAccountInfo | undefined): PolicyInput {
  const spec = isRecord(raw.spec) ? raw.spec : {};
  const requesterUid = typeof spec.uid === 'string' && spec.uid !== '' ? spec.uid : undefined;
  return { csr, requesterUid, facts: tryReadCsrFacts(csr.requestPem), serviceAccount };
}

function withCondition(raw: Json, decision: Exclude<Decision, { action: 'ignore' }>, now: Date): Json {
  const status = isRecord(raw.status) ? raw.status : {};
  const conditions: unknown[] = Array.isArray(status.conditions) ? status.conditions : [];
  const condition = {
    type: decision.action === 'approve' ? 'Approved' : 'Denied',
    status: 'True',
    reason: decision.reason,
    message: decision.message,
    lastUpdateTime: rfc3339Seconds(now),
  };
  return { ...raw, status: { ...status, conditions: [...conditions, condition] } };
}
