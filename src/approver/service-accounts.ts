// The ServiceAccounts of the users namespace, kept by a list/watch (an informer): the policy needs
// each requester's uid and the groups its annotation allows. With 100,000 users this is the
// approver's largest structure, so each account is reduced as it arrives (the raw object is dropped
// with its page or event) to one string: list generation, uid, resourceVersion, groups.
import type { Json } from '../util/validate.js';
import { isRecord } from '../util/validate.js';
import { type ServiceAccountInfo, parseServiceAccount } from '../kube/service-account.js';

export class ServiceAccountCache {
  /** name -> "<generation> <uid> <resourceVersion> <group,group>" */
  private readonly byName = new Map<string, string>();
  private generation = 0;
  private hasListed = false;

  get synced(): boolean {
    return this.hasListed;
  }

  get size(): number {
    return this.byName.size;
  }

  get(name: string): ServiceAccountInfo | undefined {
    const packed = this.byName.get(name);
    if (packed === undefined) return undefined;
    const [, uid = '', , ...rest] = packed.split(' ');
    const groups = rest.join(' ');
    return { name, uid, groups: groups === '' ? [] : groups.split(',') };
  }

  /** A page of a full list, stored at once under the list's generation; listed() drops the rest. */
  collect(items: Json[], first: boolean): void {
    if (first) this.generation += 1; // also after a list that failed half-way
    for (const item of items) this.apply('ADDED', item);
  }

  /** The list is complete: accounts it did not hold were deleted meanwhile. */
  listed(): void {
    const current = `${this.generation} `;
    for (const [name, packed] of this.byName) if (!packed.startsWith(current)) this.byName.delete(name);
    this.hasListed = true;
  }

  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: Json): void {
    let account: ServiceAccountInfo;
    try {
      account = parseServiceAccount(object);
    } catch {
      return; // unreadable: as if it did not exist, so its users are denied, never approved
    }
    if (type === 'DELETED' || account.uid.includes(' ')) {
      this.byName.delete(account.name);
      return;
    }
    const metadata = isRecord(object.metadata) ? object.metadata : {};
    const resourceVersion =
      typeof metadata.resourceVersion === 'string' && !metadata.resourceVersion.includes(' ') ? metadata.resourceVersion : '';
    // uids and resourceVersions have no spaces; groups come last and may. join() makes one flat
    // string (a template literal may keep the parsed pieces alive as a rope).
    this.byName.set(account.name, [this.generation, account.uid, resourceVersion, account.groups.join(',')].join(' '));
  }
}
