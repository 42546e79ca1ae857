// Records, from the real kube-apiserver, the exact JSON the load generator serves beyond 10,000
// CSRs: one CSR as the watch shows it pending, approved and issued (event lines and objects), the
// /approval answer, a list page as a server-side Table, the user's ServiceAccount,
// a 410 "Expired" watch event and a BOOKMARK. Run while no approver is running (it decides by hand).
import { cluster } from '../e2e/cluster.js';
import type { ProvisionedUser } from '../e2e/provision.js';
import type { BenchApi } from './api-client.js';
import { userCsrFactory } from './csr-manifests.js';
import { tableAccept } from '../../src/approver/csr-table.js';

const csrPath = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

export interface Recorded {
  server: string;
  /** Watch event lines as received (type + object). */
  events: { pending: string; approved: string; issued: string };
  /** The answer to PUT .../approval. */
  approvalAnswer: string;
  /** A list answer as the approver asks for it (server-side Table, limit 1, so it has a continue
   * token), its one row the issued CSR. */
  table: string;
  serviceAccount: string;
  expired: string;
  bookmark: string;
  /** Which of the lines were constructed because the server would not produce them in time. */
  constructed: string[];
}

function collectLines(api: BenchApi, path: string, until: (lines: string[]) => boolean, timeoutMs: number): Promise<string[]> {
  const lines: string[] = [];
  return new Promise((resolve) => {
    const w = api.watch(path, (type, object) => {
      lines.push(JSON.stringify({ type, object }));
      if (until(lines)) w.stop();
    });
    const timer = setTimeout(() => w.stop(), timeoutMs);
    void w.ended.then(() => {
      clearTimeout(timer);
      resolve(lines);
    });
  });
}

export async function recordApi(admin: BenchApi, creator: BenchApi, user: ProvisionedUser, namespace: string): Promise<Recorded> {
  const name = `bench-recorded-${Date.now().toString(36)}`;
  const constructed: string[] = [];
  const start = await admin.request('GET', `${csrPath}?limit=1`);
  const rv = (start.body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? '';
  // JSON.stringify of the parsed event keeps the server's field order and values (JSON has no other state)
  const watching = collectLines(
    admin,
    `${csrPath}?watch=1&fieldSelector=metadata.name%3D${encodeURIComponent(name)}&resourceVersion=${rv}`,
    (lines) => lines.some((l) => l.includes('"certificate"')),
    60_000,
  );
  const manifest = (await userCsrFactory(user.name, user.groups))(name);
  const created = await creator.request('POST', csrPath, manifest);
  if (created.status !== 201) throw new Error(`record: create CSR: HTTP ${created.status}`);
  const object = created.body as { status?: { conditions?: unknown[] } };
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  object.status = {
    conditions: [
      { type: 'Approved', status: 'True', reason: 'KubeCsrLoginApproved', message: 'recorded by the bench', lastUpdateTime: time },
    ],
  };
  const approval = await admin.request('PUT', `${csrPath}/${encodeURIComponent(name)}/approval`, object);
  if (approval.status !== 200) throw new Error(`record: approve: HTTP ${approval.status}`);
  const lines = await watching;
  const find = (test: (line: string) => boolean, what: string) => {
    const line = lines.find(test);
    if (!line) throw new Error(`record: no ${what} watch event`);
    return line;
  };
  const events = {
    pending: find((l) => l.startsWith('{"type":"ADDED"'), 'ADDED'),
    approved: find((l) => l.startsWith('{"type":"MODIFIED"') && !l.includes('"certificate"'), 'approved MODIFIED'),
    issued: find((l) => l.includes('"certificate"'), 'issued MODIFIED'),
  };
  const table = await admin.request(
    'GET',
    `${csrPath}?fieldSelector=metadata.name%3D${encodeURIComponent(name)}&limit=1&includeObject=None`,
    undefined,
    tableAccept,
  );
  const page = await admin.request('GET', `${csrPath}?limit=1&includeObject=None`, undefined, tableAccept);
  const tableBody = table.body as { kind?: string; metadata: Record<string, unknown> };
  if (tableBody.kind !== 'Table') throw new Error('record: the CSR list did not come as a Table');
  tableBody.metadata = (page.body as { metadata: Record<string, unknown> }).metadata; // a real continue token and remainingItemCount
  const sa = await admin.request('GET', `/api/v1/namespaces/${namespace}/serviceaccounts/${encodeURIComponent(user.name)}`);
  // a watch from a resourceVersion long gone: the server answers with a 410 Expired ERROR event
  const old = await collectLines(admin, `${csrPath}?watch=1&resourceVersion=1`, (l) => l.length > 0, 5_000);
  let expired = old.find((l) => l.startsWith('{"type":"ERROR"') && l.includes('410'));
  if (!expired) {
    constructed.push('expired');
    expired = JSON.stringify({
      type: 'ERROR',
      object: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'too old resource version: 1 (2)',
        reason: 'Expired',
        code: 410,
      },
    });
  }
  // a watch list (sendInitialEvents) ends its initial events with a BOOKMARK at once
  const now = await admin.request('GET', `${csrPath}?limit=1`);
  const currentRv = (now.body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? '';
  const marks = await collectLines(
    admin,
    `${csrPath}?watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=${currentRv}&fieldSelector=metadata.name%3D${encodeURIComponent(name)}`,
    (ls) => ls.some((l) => l.startsWith('{"type":"BOOKMARK"')),
    10_000,
  );
  let bookmark = marks.find((l) => l.startsWith('{"type":"BOOKMARK"'));
  if (!bookmark) {
    constructed.push('bookmark');
    bookmark = JSON.stringify({
      type: 'BOOKMARK',
      object: {
        kind: 'CertificateSigningRequest',
        apiVersion: 'certificates.k8s.io/v1',
        metadata: { resourceVersion: currentRv, creationTimestamp: null },
        spec: { request: null, signerName: '' },
        status: {},
      },
    });
  }
  await admin.request('DELETE', `${csrPath}/${encodeURIComponent(name)}`);
  return {
    server: cluster.server,
    events,
    approvalAnswer: JSON.stringify(approval.body),
    table: JSON.stringify(tableBody),
    serviceAccount: JSON.stringify(sa.body),
    expired,
    bookmark,
    constructed,
  };
}
