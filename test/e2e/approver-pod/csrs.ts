// CSRs the suite submits with a user's own token, and how they were decided, read as the admin:
// every CSR of a batch (label) must end with exactly one decision condition and at most one
// decision Event from the approver (none left undecided, none decided twice).
import { tokenApi } from '../../bench/api-client.js';
import { userCsrFactory } from '../../bench/csr-manifests.js';
import { admin, cluster } from '../cluster.js';
import type { ProvisionedUser } from '../provision.js';

const csrPath = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const batchLabel = 'kube-csr-login.io/pod-e2e';
/** Batches of this run only (a control plane may be reused). */
const runId = Date.now().toString(36);

/** Creates CSR `name` as `user` (with its token) for subject `cn` (default: the user itself). */
export async function submit(user: ProvisionedUser, name: string, batch: string, cn = user.name): Promise<void> {
  const api = await tokenApi(cluster.server, cluster.caFile, user.tokenFile, 2);
  const manifest = (await userCsrFactory(cn, user.groups))(name) as { metadata: { labels: Record<string, string> } };
  manifest.metadata.labels[batchLabel] = `${batch}-${runId}`;
  const response = await api.request('POST', csrPath, manifest);
  if (response.status !== 201) throw new Error(`creating CSR ${name}: HTTP ${response.status}`);
}

export interface Decided {
  approved: number;
  denied: number;
  issued: boolean;
  events: number;
}

export async function decisions(batch: string): Promise<Map<string, Decided>> {
  const list = JSON.parse(await admin('get', 'csr', '-l', `${batchLabel}=${batch}-${runId}`, '-o', 'json')) as {
    items: { metadata: { name: string }; status?: { conditions?: { type: string }[]; certificate?: string } }[];
  };
  const events = JSON.parse(
    await admin('get', 'events', '-n', 'default', '--field-selector', 'involvedObject.kind=CertificateSigningRequest', '-o', 'json'),
  ) as { items: { involvedObject: { name: string }; source?: { component?: string } }[] };
  const out = new Map<string, Decided>();
  for (const item of list.items) {
    const types = (item.status?.conditions ?? []).map((c) => c.type);
    const count = events.items.filter(
      (e) => e.involvedObject.name === item.metadata.name && e.source?.component === 'kube-csr-login-approver',
    ).length;
    out.set(item.metadata.name, {
      approved: types.filter((t) => t === 'Approved').length,
      denied: types.filter((t) => t === 'Denied').length,
      issued: Boolean(item.status?.certificate),
      events: count,
    });
  }
  return out;
}

export const undecided = (all: Map<string, Decided>): string[] => [...all].filter(([, d]) => d.approved + d.denied === 0).map(([n]) => n);
