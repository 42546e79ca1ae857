// Flags the approver and `approver explain` share: where the cluster is and the policy's settings.
import { KclError } from '../../errors.js';
import type { PolicyConfig } from '../../approver/policy.js';
import { parseDurationSeconds } from '../parse-values.js';

export const policyOptions = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'users-namespace': { type: 'string', default: 'users' },
  'max-expiration': { type: 'string', default: '24h' },
} as const;

export function policyConfig(values: { 'users-namespace': string; 'max-expiration': string }): PolicyConfig {
  const maxExpirationSeconds = parseDurationSeconds('--max-expiration', values['max-expiration']);
  if (maxExpirationSeconds < 600) throw new KclError('usage', '--max-expiration must be at least 10m (the API minimum)');
  return { usersNamespace: values['users-namespace'], maxExpirationSeconds };
}
