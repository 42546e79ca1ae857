// One comparison of a profile's CA with the serving CAs the cluster publishes, and its record in the
// profile's cache dir (ca-check.json, 0600, atomic) that `status` shows without touching the network.
// A background renewal runs it at most once a day; `status --check-ca` and `setup --refresh-ca` now.
import { describe } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import path from 'node:path';
import { ensurePrivateDir, readTextIfExists, writeFileAtomic } from '../util/files.js';
import { parseJsonObject } from '../util/validate.js';
import { type TrustVerdict, compareTrust, subjectOf } from './compare-trust.js';
import { fetchPublishedCas } from './published-cas.js';

type CaCheckState = 'current' | 'changed' | 'broken' | 'unpublished' | 'failed';

export interface CaCheck {
  checkedAt: Date;
  state: CaCheckState;
  message: string;
}

const states: readonly string[] = ['current', 'changed', 'broken', 'unpublished', 'failed'];
const isState = (value: unknown): value is CaCheckState => typeof value === 'string' && states.includes(value);
export const dailyMs = 24 * 3600 * 1000;
const timeoutMs = 15_000;

export async function checkServingCa(client: ApiClient, currentPem: string, profile: string, now: Date): Promise<CaCheck> {
  try {
    const published = await fetchPublishedCas(client, timeoutMs);
    if (!published) {
      const message = 'the cluster publishes no kube-apiserver-serving ClusterTrustBundle (before 1.37, or its publisher is off)';
      return { checkedAt: now, state: 'unpublished', message };
    }
    return { checkedAt: now, ...describeVerdict(compareTrust(currentPem, published), profile) };
  } catch (error) {
    return { checkedAt: now, state: 'failed', message: `could not read the published serving CA: ${describe(error)}` };
  }
}

function describeVerdict(verdict: TrustVerdict, profile: string): { state: CaCheckState; message: string } {
  if (verdict.state === 'current') return { state: 'current', message: 'matches the serving CA the cluster publishes' };
  if (verdict.state === 'broken') return { state: 'broken', message: `the published serving CA is not adopted: ${verdict.reason}` };
  const parts = [
    verdict.added.length > 0 ? `new: ${verdict.added.map(subjectOf).join('; ')}` : '',
    verdict.removed.length > 0 ? `no longer published: ${verdict.removed.map(subjectOf).join('; ')}` : '',
  ].filter((part) => part !== '');
  return {
    state: 'changed',
    message: `the cluster's serving CA changed (${parts.join(', ')}): run kube-csr-login setup --refresh-ca --profile ${profile}`,
  };
}

export async function readCaCheck(file: string): Promise<CaCheck | undefined> {
  try {
    const text = await readTextIfExists(file);
    if (text === undefined) return undefined;
    const doc = parseJsonObject(text, 'CA check');
    const checkedAt = new Date(String(doc.checkedAt));
    const { state, message } = doc;
    if (doc.version !== 1 || Number.isNaN(checkedAt.getTime()) || !isState(state) || typeof message !== 'string') return undefined;
    return { checkedAt, state, message };
  } catch {
    return undefined; // unreadable: checked again next time
  }
}

export async function writeCaCheck(file: string, check: CaCheck): Promise<void> {
  const doc = { version: 1, checkedAt: check.checkedAt.toISOString(), state: check.state, message: check.message };
  await ensurePrivateDir(path.dirname(file));
  await writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
}
