// Waiting on a CSR with a watch (field selector on its name), as client-go's WaitForCertificate:
// Denied and Failed are final, approved-without-certificate keeps waiting, deletion or a new UID is
// an error. A dropped watch is resumed from a fresh GET; a 410 Gone as well.
import { KclError, isKclError } from '../errors.js';
import type { CsrApi } from '../kube/csr-api.js';
import { type CsrObject, condition } from '../kube/csr-object.js';
import { rfc3339Seconds } from '../util/time.js';

export interface WaitClock {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

const rewatchPauseMs = 500;

/**
 * Follows the CSR until `done` holds and returns it; returns undefined if it is deleted or replaced.
 * Throws a timeout error at the deadline.
 */
export async function watchCsrUntil(
  api: CsrApi,
  start: CsrObject,
  done: (csr: CsrObject) => boolean,
  deadline: Date,
  clock: WaitClock,
): Promise<CsrObject | undefined> {
  let current: CsrObject | undefined = start;
  for (;;) {
    if (done(current)) return current;
    const remainingMs = deadline.getTime() - clock.now().getTime();
    if (remainingMs <= 0) throw timeout(current.name, deadline);
    try {
      for await (const event of api.watch(current.name, current.resourceVersion, remainingMs / 1000)) {
        if (event.type === 'EXPIRED') break;
        if (event.type === 'DELETED' || event.csr.uid !== start.uid) return undefined;
        current = event.csr;
        if (done(current)) return current;
      }
    } catch (error) {
      // A watch cut while opening is resumed like one dropped later; the GET below tells if the
      // server is really gone.
      if (!isKclError(error, 'unreachable')) throw error;
    }
    current = await getIfSame(api, start);
    if (!current) return undefined;
    if (!done(current) && clock.now() < deadline) await clock.sleep(rewatchPauseMs);
  }
}

export async function waitForCertificate(api: CsrApi, csr: CsrObject, deadline: Date, clock: WaitClock): Promise<string> {
  const finished = (c: CsrObject) =>
    Boolean(condition(c, 'Denied') || condition(c, 'Failed') || (condition(c, 'Approved') && c.certificatePem));
  const result = await watchCsrUntil(api, csr, finished, deadline, clock);
  if (!result) throw new KclError('failed', `CSR ${csr.name} was deleted while waiting for its certificate`);
  const denied = condition(result, 'Denied');
  if (denied) throw new KclError('denied', `CSR ${csr.name} was denied: ${explain(denied.reason, denied.message)}`);
  const failed = condition(result, 'Failed');
  if (failed) throw new KclError('failed', `CSR ${csr.name} failed to be signed: ${explain(failed.reason, failed.message)}`);
  return result.certificatePem ?? '';
}

async function getIfSame(api: CsrApi, start: CsrObject): Promise<CsrObject | undefined> {
  try {
    const current = await api.get(start.name);
    return current.uid === start.uid ? current : undefined;
  } catch (error) {
    if (isKclError(error, 'notFound')) return undefined;
    throw error;
  }
}

function timeout(name: string, deadline: Date): KclError {
  return new KclError(
    'timeout',
    `timed out at ${rfc3339Seconds(deadline)} waiting for CSR ${name} to be approved; an admin can approve it with: kubectl certificate approve ${name}`,
  );
}

function explain(reason: string | undefined, message: string | undefined): string {
  const text = [reason, message].filter(Boolean).join(': ');
  return (text || 'no reason given').replace(/\s+/g, ' ').slice(0, 300);
}
