// Who the API server says the caller is (SelfSubjectReview, what `kubectl auth whoami` shows).
// setup asks it about the token and the new certificate; a renewal asks it only when a CSR of its
// name is in the way, to tell one of its own (another machine) from someone else's.
import { KclError } from '../errors.js';
import { isRecord } from '../util/validate.js';
import type { ApiClient } from './http.js';

export interface UserInfo {
  username: string;
  groups: string[];
}

const defaultTimeoutMs = 15_000;

export async function whoAmI(client: ApiClient, timeoutMs = defaultTimeoutMs): Promise<UserInfo> {
  const review = await client.json({
    method: 'POST',
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    timeoutMs,
  });
  const status = isRecord(review) ? review.status : undefined;
  const userInfo = isRecord(status) ? status.userInfo : undefined;
  const username = isRecord(userInfo) ? userInfo.username : undefined;
  if (typeof username !== 'string' || username === '')
    throw new KclError('server', 'the API server sent a SelfSubjectReview without a username');
  const groups = isRecord(userInfo) && Array.isArray(userInfo.groups) ? userInfo.groups.filter((g) => typeof g === 'string') : [];
  return { username, groups };
}
