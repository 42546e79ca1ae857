// Validation of user names (DNS-1123 subdomain, also a valid ServiceAccount name) and groups.
import { KclError } from '../errors.js';

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateUserName(name: string): string {
  if (name.length === 0 || name.length > 253 || !dns1123Subdomain.test(name)) {
    throw new KclError('usage', `invalid user name "${name}": use a DNS-1123 subdomain (lowercase letters, digits, '-', '.')`);
  }
  return name;
}

export function validateGroups(groups: string[]): string[] {
  for (const group of groups) {
    if (group.trim() === '' || group !== group.trim()) throw new KclError('usage', `invalid group "${group}"`);
    if (group.startsWith('system:')) throw new KclError('usage', `group "${group}" is not allowed: system: groups are reserved`);
  }
  return [...new Set(groups)];
}
