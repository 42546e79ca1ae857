// What a client did across its first certificate's NotAfter, classified from its answers over time
// (one request every few seconds, from start until well past that NotAfter).
import type { Refusal } from '../e2e/clients/line-client.js';

interface Whoami {
  username: string;
  credentialId: string;
}
export type Answer = Whoami | Refusal;

export interface Sample {
  /** When the request was asked for, and when its answer came. */
  t: number;
  done: number;
  answer: Answer;
}

export type Behaviour = 'follows-renewal' | 'new-process-per-command' | '401-after-notafter' | 'fails-at-start' | 'other';

export const behaviourText: Record<Behaviour, string> = {
  'follows-renewal': 'renews: uses each renewed certificate, works past the first NotAfter',
  'new-process-per-command': 'a new process per command: each run is served the current certificate',
  '401-after-notafter': 'never renews: keeps its first certificate, 401 Unauthorized after its NotAfter',
  'fails-at-start': 'cannot use the credential at all',
  other: 'other (see the samples)',
};

export interface Window {
  /** Before this the first certificate is certainly valid. */
  validUntil: number;
  /** After this it has certainly expired. */
  expiredFrom: number;
  /** Both are its NotAfter, read from the certificate (else bounds from when it was issued). */
  exact: boolean;
}

/** No HTTP status and a timeout: the machine was too slow, not the credential refused. */
function transient(answer: Answer): boolean {
  return refused(answer) && answer.status === undefined && /timeout|timed out|deadline exceeded/i.test(answer.error);
}

export interface Verdict {
  behaviour: Behaviour;
  /** The measured detail: certificates seen, first refusal. */
  detail: string;
}

function refused(answer: Answer): answer is Refusal {
  return 'error' in answer;
}

export function classify(samples: readonly Sample[], window: Window, user: string): Verdict {
  const first = samples[0];
  if (!first) return { behaviour: 'other', detail: 'no request' };
  if (refused(first.answer)) return { behaviour: 'fails-at-start', detail: describeAnswer(first.answer) };
  const slow = samples.filter((s) => transient(s.answer)).length;
  const counted = samples.filter((s) => !transient(s.answer));
  const before = counted.filter((s) => s.done < window.validUntil);
  const after = counted.filter((s) => s.t > window.expiredFrom);
  const ok = counted.filter((s): s is Sample & { answer: Whoami } => !refused(s.answer));
  const ids = new Set(ok.map((s) => s.answer.credentialId));
  const firstId = first.answer.credentialId;
  const counts = `${ok.length}/${samples.length} requests ok${slow ? ` (${slow} timed out on the loaded machine)` : ''}, ${ids.size} certificate(s)`;
  if (after.length === 0) return { behaviour: 'other', detail: `no request past the first NotAfter; ${counts}` };
  if (ok.some((s) => s.answer.username !== user)) return { behaviour: 'other', detail: `answered as someone else; ${counts}` };
  if (ok.length === counted.length) {
    if (firstId === '' && ids.size === 1) return { behaviour: 'new-process-per-command', detail: counts };
    const renewedEarly = before.some((s) => !refused(s.answer) && s.answer.credentialId !== firstId);
    if (renewedEarly) return { behaviour: 'follows-renewal', detail: counts };
  }
  const firstRefusal = counted.find((s) => refused(s.answer));
  const keptFirst = counted.every((s) => refused(s.answer) || s.answer.credentialId === firstId);
  const allAfterRefused = after.every((s) => refused(s.answer) && s.answer.status === 401);
  const noneBeforeRefused = before.every((s) => !refused(s.answer));
  if (keptFirst && allAfterRefused && noneBeforeRefused && firstRefusal) {
    const late = Math.round((firstRefusal.t - window.validUntil) / 1000);
    const lastOk = [...counted].reverse().find((s) => !refused(s.answer));
    const early = lastOk ? `, last success ${Math.round((window.validUntil - lastOk.done) / 1000)} s before it` : '';
    const when = window.exact ? `${late} s after NotAfter${early}` : `at most ${late} s after NotAfter`;
    return { behaviour: '401-after-notafter', detail: `${counts}; first 401 ${when}` };
  }
  return { behaviour: 'other', detail: `${counts}; first refusal: ${firstRefusal ? describeAnswer(firstRefusal.answer) : 'none'}` };
}

export function describeAnswer(answer: Answer): string {
  return refused(answer) ? `refused (${answer.status ?? 'no HTTP status'}): ${answer.error.slice(0, 200)}` : `ok as ${answer.username}`;
}
