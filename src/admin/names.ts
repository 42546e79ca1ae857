// Validation of user names (DNS-1123 subdomain, also a valid ServiceAccount name) and groups.
import { KclError } from '../errors.js';

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateUserName(name: string): string {
  if (name.length === 0 || name.length > 247 || !dns1123Subdomain.test(name)) {
    throw new KclError(
      'usage',
      `invalid user name "${name.slice(0, 80)}": use a DNS-1123 subdomain (lowercase letters, digits, '-', '.'; at most 247)`,
    );
  }
  return name;
}

export function validateGroups(groups: string[]): string[] {
  for (const group of groups) {
    if (group.trim() === '' || group !== group.trim()) throw new KclError('usage', `invalid group "${group.slice(0, 80)}"`);
    if (group.startsWith('system:')) throw new KclError('usage', `group "${group}" is not allowed: system: groups are reserved`);
  }
  return [...new Set(groups)];
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateNamespace(namespace: string): string {
  if (namespace.length > 63 || !dns1123Label.test(namespace)) {
    throw new KclError(
      'usage',
      `invalid namespace "${namespace.slice(0, 80)}": use a DNS-1123 label (lowercase letters, digits, '-', at most 63)`,
    );
  }
  return namespace;
}
