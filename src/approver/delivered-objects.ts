// The latest object the watch delivered for each queued CSR, so a worker judges it without a GET
// (the approval's resourceVersion guard turns a stale one into a conflict, which is judged again
// on a fresh read). Kept only while the CSR waits in the queue: nothing is kept per decided CSR.
import { parseCsrObject } from '../kube/csr-object.js';
import { type Json, isRecord } from '../util/validate.js';
import { type PolicyConfig, requester } from './policy.js';
import type { WorkQueue } from './work-queue.js';

export interface DeliveredObjects {
  /** A watched CSR: queued with its object when it is ours to judge, else forgotten. */
  offer: (object: Json) => void;
  /** A DELETED event: nothing to judge from it. */
  deleted: (object: Json) => void;
  /** The object to judge, once: a retry or requeue reads the CSR afresh. */
  take: (name: string) => Json | undefined;
}

export function deliveredObjects(queue: WorkQueue, config: PolicyConfig): DeliveredObjects {
  const objects = new Map<string, Json>();
  return {
    offer: (object) => {
      let csr;
      try {
        csr = parseCsrObject(object);
      } catch {
        return; // unreadable CSR: not ours to judge
      }
      if ('user' in requester(csr, config)) {
        objects.set(csr.name, object);
        queue.add(csr.name);
      } else objects.delete(csr.name); // decided meanwhile: a queued name finds it on a fresh read
    },
    deleted: (object) => {
      if (isRecord(object.metadata) && typeof object.metadata.name === 'string') objects.delete(object.metadata.name);
    },
    take: (name) => {
      const object = objects.get(name);
      objects.delete(name);
      return object;
    },
  };
}
