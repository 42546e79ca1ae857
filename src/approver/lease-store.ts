// The leader Lease (coordination.k8s.io/v1) as a three-call port: get, create, update with
// optimistic concurrency. The elector's logic lives in leader-election.ts and is tested against
// an in-memory store; this file only speaks HTTP and validates what it reads.
import { isKclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { isRecord, optionalNumber, optionalString, record, string } from '../util/validate.js';

export interface LeaseRecord {
  holder: string;
  durationSeconds: number;
  acquireTime: string;
  renewTime: string;
  transitions: number;
}

export interface LeaseStore {
  get: () => Promise<{ record: LeaseRecord; version: string } | undefined>;
  /** false when someone created it first. */
  create: (record: LeaseRecord) => Promise<boolean>;
  /** false when the version is stale (someone else wrote in between). */
  update: (record: LeaseRecord, version: string) => Promise<boolean>;
}

const timeoutMs = 10_000;

export function apiLeaseStore(client: ApiClient, namespace: string, name: string): LeaseStore {
  const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const manifest = (lease: LeaseRecord, resourceVersion?: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: lease.holder,
      leaseDurationSeconds: lease.durationSeconds,
      acquireTime: lease.acquireTime,
      renewTime: lease.renewTime,
      leaseTransitions: lease.transitions,
    },
  });
  const conflictIsFalse = (error: unknown) => {
    if (isKclError(error, 'conflict')) return false;
    throw error;
  };
  return {
    async get() {
      try {
        return parseLease(await client.json({ method: 'GET', path: `${base}/${encodeURIComponent(name)}`, timeoutMs }));
      } catch (error) {
        if (isKclError(error, 'notFound')) return undefined;
        throw error;
      }
    },
    create: (lease) => client.json({ method: 'POST', path: base, body: manifest(lease), timeoutMs }).then(() => true, conflictIsFalse),
    update: (lease, version) =>
      client
        .json({ method: 'PUT', path: `${base}/${encodeURIComponent(name)}`, body: manifest(lease, version), timeoutMs })
        .then(() => true, conflictIsFalse),
  };
}

function parseLease(value: unknown): { record: LeaseRecord; version: string } {
  if (!isRecord(value)) throw new Error('Lease is not an object');
  const metadata = record(value, 'metadata', 'lease');
  const spec = isRecord(value.spec) ? value.spec : {};
  return {
    version: string(metadata, 'resourceVersion', 'metadata'),
    record: {
      holder: optionalString(spec, 'holderIdentity', 'spec') ?? '',
      durationSeconds: optionalNumber(spec, 'leaseDurationSeconds', 'spec') ?? 0,
      acquireTime: optionalString(spec, 'acquireTime', 'spec') ?? '',
      renewTime: optionalString(spec, 'renewTime', 'spec') ?? '',
      transitions: optionalNumber(spec, 'leaseTransitions', 'spec') ?? 0,
    },
  };
}

/** MicroTime: RFC 3339 with microseconds, as the API server expects for Lease times. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}
