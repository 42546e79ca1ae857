// Flag parsing shared by the commands. Each throws a usage KclError naming the flag.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { KclError, describe } from '../errors.js';
import { isExecApiVersion, type ExecApiVersion } from '../exec/exec-info.js';
import { parseGroupList } from '../kube/service-account.js';
import { isKeyAlgorithm, keyAlgorithms, type KeyAlgorithm } from '../pki/key-algorithm.js';

/** parseArgs (strict) whose failures are usage errors: the first line of its message, without its hint
 * about '--' (the option name is what matters), after `context` ("admin add-user") when given. */
export function parseFlags<T extends ParseArgsConfig>(config: T, context?: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ strict: true, ...config });
  } catch (error) {
    const message = describe(error).replace(/\. To specify a positional argument.*$/, '');
    throw new KclError('usage', context === undefined ? message : `${context}: ${message}`);
  }
}

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "600", "600s", "10m", "1h30m", "24h" -> seconds. */
export function parseDurationSeconds(flag: string, value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const parts = [...value.matchAll(/(\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) {
    throw new KclError('usage', `${flag}: "${value.slice(0, 40)}" is not a duration (e.g. 600s, 10m, 1h)`);
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (units[unit ?? 's'] ?? 1), 0);
}

/** "70-90" (percent of the certificate lifetime) -> [0.7, 0.9]; "80" -> [0.8, 0.8]. */
export function parseRenewWindow(value: string): [number, number] {
  const match = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(value);
  if (!match) throw new KclError('usage', '--renew-window: expected a percentage range such as 70-90');
  const low = Number(match[1]) / 100;
  const high = Number(match[2] ?? match[1]) / 100;
  if (!(low > 0 && low <= high && high < 1)) throw new KclError('usage', '--renew-window: need 0 < min <= max < 100');
  return [low, high];
}

/** --groups a,b: the list format of the ServiceAccount's groups annotation, printable names only. */
export function parseGroups(value: string): string[] {
  const groups = parseGroupList(value);
  for (const group of groups) {
    if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(group) || group.length > 128) {
      throw new KclError('usage', `--groups: "${group.slice(0, 40)}" is not a valid group name`);
    }
  }
  return groups;
}

export function parseApiVersion(value: string): ExecApiVersion {
  if (!isExecApiVersion(value)) {
    throw new KclError('usage', '--api-version: use client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1');
  }
  return value;
}

export function parseKeyAlgorithm(value: string): KeyAlgorithm {
  if (!isKeyAlgorithm(value)) throw new KclError('usage', `--key-algorithm: use one of ${keyAlgorithms.join(', ')}`);
  return value;
}
