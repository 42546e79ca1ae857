// What the approver must be allowed to do, asked of the API server with SelfSubjectAccessReviews
// (every authenticated identity may create them) at start, then every minute (every 10 s while one
// is missing). The approver is ready only while all are granted: an RBAC rule missing a verb, a
// users namespace that does not exist (so neither does its Role), or an unreachable API server turn
// the pod unready with one clear log line, instead of a pod that looks healthy and never decides
// (or a silent crash loop).
import { describe } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { isRecord } from '../util/validate.js';
import type { Log } from './log.js';

interface Permission {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  namespace?: string;
}

export interface PermissionScope {
  usersNamespace: string;
  /** undefined without leader election. */
  lease: { namespace: string; name: string } | undefined;
  dryRun: boolean;
}

/** create cannot be limited by name; get and update are, to the Lease. */
function leasePermissions(lease: { namespace: string; name: string }): Permission[] {
  const on = { group: 'coordination.k8s.io', resource: 'leases', namespace: lease.namespace };
  return [
    { verb: 'create', ...on },
    { verb: 'get', ...on, name: lease.name },
    { verb: 'update', ...on, name: lease.name },
  ];
}

/** The calls approver-api.ts and lease-store.ts make, as RBAC attributes. */
function requiredPermissions(scope: PermissionScope): Permission[] {
  const csr = { group: 'certificates.k8s.io', resource: 'certificatesigningrequests' };
  return [
    ...['get', 'list', 'watch'].map((verb) => ({ verb, ...csr })),
    ...(scope.dryRun
      ? []
      : [
          { verb: 'update', ...csr, subresource: 'approval' },
          { verb: 'approve', group: 'certificates.k8s.io', resource: 'signers', name: 'kubernetes.io/kube-apiserver-client' },
        ]),
    { verb: 'get', group: '', resource: 'serviceaccounts', namespace: scope.usersNamespace },
    ...(scope.lease ? leasePermissions(scope.lease) : []),
    { verb: 'create', group: '', resource: 'events', namespace: 'default' },
  ];
}

function describePermission(p: Permission): string {
  const what = `${p.resource}${p.subresource ? `/${p.subresource}` : ''}${p.group ? `.${p.group}` : ''}${p.name ? ` "${p.name}"` : ''}`;
  return `${p.verb} ${what}${p.namespace ? ` in namespace ${p.namespace}` : ''}`;
}

export interface PermissionCheck {
  /** Asks again; logs a line when the outcome changes. */
  check: () => Promise<void>;
  granted: () => boolean;
}

export function permissionCheck(client: ApiClient, scope: PermissionScope, log: Log): PermissionCheck {
  const permissions = requiredPermissions(scope);
  let granted = false;
  let reported = '';
  const allowed = async (p: Permission) => {
    const { name, subresource, namespace, ...rest } = p;
    const spec = {
      resourceAttributes: {
        ...rest,
        ...(name ? { name } : {}),
        ...(subresource ? { subresource } : {}),
        ...(namespace ? { namespace } : {}),
      },
    };
    const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec };
    const review = await client.json({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body,
      timeoutMs: 10_000,
    });
    return isRecord(review) && isRecord(review.status) && review.status.allowed === true;
  };
  return {
    granted: () => granted,
    async check() {
      let outcome: string;
      try {
        const answers = await Promise.all(permissions.map(allowed));
        const missing = permissions.filter((_, i) => !answers[i]).map(describePermission);
        granted = missing.length === 0;
        outcome = granted
          ? 'permissions: all granted'
          : `permissions: not ready, missing ${missing.join('; ')} (grant them as examples/deploy/rbac.yaml does; a missing users namespace ${scope.usersNamespace} has no Role either)`;
      } catch (error) {
        granted = false;
        outcome = `permissions: not ready, cannot ask the API server: ${describe(error)}`;
      }
      if (outcome !== reported) log(outcome);
      reported = outcome;
    },
  };
}
