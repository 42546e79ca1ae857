// The ServiceAccounts of the users namespace, kept by a list/watch (an informer): the policy needs
// each requester's uid and the groups its annotation allows. Bounded by the number of users.
import { type Json, isRecord, record, string } from '../util/validate.js';

export const groupsAnnotation = 'kube-csr-login.io/groups';

export interface ServiceAccountInfo {
  name: string;
  uid: string;
  /** From the kube-csr-login.io/groups annotation (comma-separated); empty when absent. */
  groups: string[];
}

export function parseServiceAccount(value: unknown): ServiceAccountInfo {
  if (!isRecord(value)) throw new Error('ServiceAccount is not an object');
  const metadata = record(value, 'metadata', 'serviceaccount');
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const raw = annotations[groupsAnnotation];
  return {
    name: string(metadata, 'name', 'metadata'),
    uid: string(metadata, 'uid', 'metadata'),
    groups: typeof raw === 'string' ? parseGroupList(raw) : [],
  };
}

export function parseGroupList(value: string): string[] {
  return [...new Set(value.split(',').map((group) => group.trim()).filter((group) => group !== ''))];
}

export class ServiceAccountCache {
  private readonly byName = new Map<string, ServiceAccountInfo>();
  private listed = false;

  get synced(): boolean {
    return this.listed;
  }

  get(name: string): ServiceAccountInfo | undefined {
    return this.byName.get(name);
  }

  replace(items: Json[]): void {
    this.byName.clear();
    for (const item of items) this.apply('ADDED', item);
    this.listed = true;
  }

  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: Json): void {
    let account: ServiceAccountInfo;
    try {
      account = parseServiceAccount(object);
    } catch {
      return; // unreadable: as if it did not exist, so its users are denied, never approved
    }
    if (type === 'DELETED') this.byName.delete(account.name);
    else this.byName.set(account.name, account);
  }
}
