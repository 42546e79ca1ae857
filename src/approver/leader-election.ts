// Leader election on a coordination.k8s.io Lease, as client-go's leaderelection: the holder renews
// every few seconds; another replica takes the lease only once it has not been renewed for its
// whole duration. Optimistic concurrency (resourceVersion) settles races.
import { isKclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { isRecord } from '../util/validate.js';

export interface LeaseConfig {
  namespace: string;
  name: string;
  identity: string;
  durationSeconds: number;
}

function microTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

/** Tries to take or renew the lease once; true while we hold it. */
export async function tryAcquire(client: ApiClient, lease: LeaseConfig, now: Date): Promise<boolean> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(lease.namespace)}/leases`;
  const spec = { holderIdentity: lease.identity, leaseDurationSeconds: lease.durationSeconds, renewTime: microTime(now) };
  let current: unknown;
  try {
    current = await client.json({ method: 'GET', path: `${path}/${encodeURIComponent(lease.name)}`, timeoutMs: 10_000 });
  } catch (error) {
    if (!isKclError(error, 'notFound')) throw error;
    const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: lease.name }, spec: { ...spec, acquireTime: microTime(now) } };
    return client.json({ method: 'POST', path, body, timeoutMs: 10_000 }).then(() => true, () => false);
  }
  if (!isRecord(current) || !isRecord(current.metadata)) return false;
  const held = isRecord(current.spec) ? current.spec : {};
  const holder = typeof held.holderIdentity === 'string' ? held.holderIdentity : '';
  const renewed = typeof held.renewTime === 'string' ? new Date(held.renewTime).getTime() : 0;
  const duration = typeof held.leaseDurationSeconds === 'number' ? held.leaseDurationSeconds : lease.durationSeconds;
  const ours = holder === lease.identity;
  if (!ours && holder !== '' && renewed + duration * 1000 > now.getTime()) return false;
  const acquireTime = ours && typeof held.acquireTime === 'string' ? held.acquireTime : microTime(now);
  const body = { ...current, spec: { ...held, ...spec, acquireTime } };
  return client.json({ method: 'PUT', path: `${path}/${encodeURIComponent(lease.name)}`, body, timeoutMs: 10_000 }).then(() => true, () => false);
}

/** Gives the lease up on shutdown, so a standby takes over at once. */
export async function release(client: ApiClient, lease: LeaseConfig): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(lease.namespace)}/leases/${encodeURIComponent(lease.name)}`;
  const current = await client.json({ method: 'GET', path, timeoutMs: 5_000 }).catch(() => undefined);
  if (!isRecord(current) || !isRecord(current.spec) || current.spec.holderIdentity !== lease.identity) return;
  await client.json({ method: 'PUT', path, body: { ...current, spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1 } }, timeoutMs: 5_000 }).catch(() => undefined);
}
