// A user's ServiceAccount as kube-csr-login reads it: its uid and the groups its certificates may
// carry, from the kube-csr-login.io/groups annotation that `admin add-user` sets.
import { isRecord, record, string } from '../util/validate.js';

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

/** "devs, ops,,devs" -> [devs, ops]: comma-separated, trimmed, empty and repeated entries dropped. */
export function parseGroupList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((group) => group.trim())
        .filter((group) => group !== ''),
    ),
  ];
}
