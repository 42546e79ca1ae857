// The ServiceAccounts of the users namespace, kept by a list/watch (an informer): the policy needs
// each requester's uid and the groups its annotation allows. Bounded by the number of users.
import { type Json } from '../util/validate.js';
import { type ServiceAccountInfo, parseServiceAccount } from '../kube/service-account.js';

export class ServiceAccountCache {
  private readonly byName = new Map<string, ServiceAccountInfo>();
  private readonly collected: Json[] = [];
  private listed = false;

  get synced(): boolean {
    return this.listed;
  }

  get(name: string): ServiceAccountInfo | undefined {
    return this.byName.get(name);
  }

  /** A page of a full list: kept aside until the list completes (a failed list changes nothing). */
  collect(items: Json[]): void {
    this.collected.push(...items);
  }

  replaceWithCollected(): void {
    this.byName.clear();
    for (const item of this.collected.splice(0)) this.apply('ADDED', item);
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
