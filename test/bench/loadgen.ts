// A list/watch load generator that stands in for kube-apiserver beyond 10,000 CSRs (the local API
// server on 2 cores is the bottleneck there). It serves the JSON recorded from the real server
// (record-api.ts) with names, uids, resourceVersions and requests substituted: CSR lists in pages
// (limit/continue, the field selector checked), watches with BOOKMARKs and, on demand, a 410 Expired
// that forces a relist; single GETs of CSRs and ServiceAccounts; the /approval PUT with
// resourceVersion conflicts; then "signs" each approved CSR (a MODIFIED event with the recorded
// certificate). Also the Lease and Events the approver writes. Objects are rendered on the fly: the
// generator keeps per CSR only a state byte, a resourceVersion and (pending ones) the request.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCa, serverCertificate } from '../helpers/pki.js';
import type { Recorded } from './record-api.js';

const csrBase = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const signer = 'kubernetes.io/kube-apiserver-client';
const pending = 0;
const approved = 1;
const issued = 2;

export interface LoadgenOptions {
  recorded: Recorded;
  namespace: string;
  users: number;
  /** CSRs user-0 .. user-(decided-1) exist issued from the start. */
  decided: number;
  token: string;
}

export interface Loadgen {
  url: string;
  caPem: string;
  port: number;
  /** Creates the pending CSR of user i (its request PEM given), as the user's plugin would. */
  create: (user: number, requestPem: string) => void;
  /** Ends every CSR watch with 410 Expired and refuses resuming from older versions. */
  expire: () => void;
  stats: {
    approvals: number;
    conflicts: number;
    doubleApprovals: number;
    lists: number;
    listPages: number;
    watches: number;
    expired: number;
    events: number;
    gets: number;
  };
  decidedCount: () => number;
  approvedAt: Map<number, number>;
  createdAt: Map<number, number>;
  close: () => Promise<void>;
}

/** Splits a JSON text around placeholder strings so rendering is a join, not a parse. */
function template(json: string, keys: string[]): (values: Record<string, string>) => string {
  const pattern = new RegExp(keys.map((k) => `@@${k}@@`).join('|'), 'g');
  const parts: string[] = [];
  const order: string[] = [];
  let last = 0;
  for (const match of json.matchAll(pattern)) {
    parts.push(json.slice(last, match.index));
    order.push(match[0].slice(2, -2));
    last = match.index + match[0].length;
  }
  parts.push(json.slice(last));
  return (values) => {
    let out = parts[0]!;
    for (let i = 0; i < order.length; i += 1) out += values[order[i]!]! + parts[i + 1]!;
    return out;
  };
}

type Obj = Record<string, any>;

function csrTemplates(recorded: Recorded) {
  const objectOf = (line: string): Obj => (JSON.parse(line) as { object: Obj }).object;
  const mark = (object: Obj, withRequest: boolean): Obj => {
    const o = structuredClone(object);
    o.metadata.name = '@@NAME@@';
    o.metadata.uid = '@@UID@@';
    o.metadata.resourceVersion = '@@RV@@';
    o.spec.username = 'system:serviceaccount:@@NS@@:@@USER@@';
    o.spec.uid = '@@SAUID@@';
    if (withRequest) o.spec.request = '@@REQUEST@@';
    return o;
  };
  const keys = ['NAME', 'UID', 'RV', 'NS', 'USER', 'SAUID', 'REQUEST'];
  const states = [objectOf(recorded.events.pending), objectOf(recorded.events.approved), objectOf(recorded.events.issued)].map((o) =>
    mark(o, true),
  );
  return {
    object: states.map((o) => template(JSON.stringify(o), keys)),
    event: states.map((o, i) => template(JSON.stringify({ type: i === pending ? 'ADDED' : 'MODIFIED', object: o }), keys)),
    requestOf: (line: string) => objectOf(line).spec.request as string,
  };
}

/** The recorded Table page: its envelope, and its row with name, requester and condition marked. */
function tableTemplates(recorded: Recorded) {
  const { rows, ...envelope } = JSON.parse(recorded.table) as Obj;
  const columns = (envelope.columnDefinitions as Obj[]).map((c) => c.name as string);
  const row = structuredClone(rows[0]) as Obj;
  row.cells[columns.indexOf('Name')] = '@@NAME@@';
  row.cells[columns.indexOf('Requestor')] = 'system:serviceaccount:@@NS@@:@@USER@@';
  row.cells[columns.indexOf('Condition')] = '@@CONDITION@@';
  const render = template(JSON.stringify(row), ['NAME', 'NS', 'USER', 'CONDITION']);
  const conditions = ['Pending', 'Approved', 'Approved,Issued']; // by state, as kube-apiserver's printer writes them
  return { envelope, row: (state: number, values: Record<string, string>) => render({ ...values, CONDITION: conditions[state]! }) };
}

function saTemplates(recorded: Recorded) {
  const o = structuredClone(JSON.parse(recorded.serviceAccount) as Obj);
  o.metadata.name = '@@NAME@@';
  o.metadata.uid = '@@UID@@';
  o.metadata.resourceVersion = '@@RV@@';
  if (o.metadata.namespace) o.metadata.namespace = '@@NS@@';
  return template(JSON.stringify(o), ['NAME', 'UID', 'RV', 'NS']);
}

export async function startLoadgen(options: LoadgenOptions): Promise<Loadgen> {
  const { recorded, namespace, users } = options;
  const csr = csrTemplates(recorded);
  const sa = saTemplates(recorded);
  const table = tableTemplates(recorded);
  const decidedRequest = csr.requestOf(recorded.events.issued);
  // per CSR (index = user): state, resourceVersion (0 = no CSR), request of pending ones
  const state = new Uint8Array(users);
  const csrRv = new Float64Array(users);
  /** The resourceVersion each CSR was created at: a list at rv holds only CSRs created by then. */
  const createdRv = new Float64Array(users);
  const requests = new Map<number, string>();
  let rv = 1000;
  for (let i = 0; i < options.decided; i += 1) {
    state[i] = issued;
    csrRv[i] = ++rv;
    createdRv[i] = rv;
  }
  const saRv = ++rv;
  let expiredBefore = 0;
  const stats = { approvals: 0, conflicts: 0, doubleApprovals: 0, lists: 0, listPages: 0, watches: 0, expired: 0, events: 0, gets: 0 };
  const approvedAt = new Map<number, number>();
  const createdAt = new Map<number, number>();
  const csrWatches = new Set<ServerResponse>();
  const uid = (kind: string, i: number) => `${kind}0000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const csrValues = (i: number, atRv = csrRv[i]!) => ({
    NAME: `user=user-${i}`,
    UID: uid('c', i),
    RV: String(atRv),
    NS: namespace,
    USER: `user-${i}`,
    SAUID: uid('a', i),
    REQUEST: requests.get(i) ?? decidedRequest,
  });
  const saValues = (i: number) => ({ NAME: `user-${i}`, UID: uid('a', i), RV: String(saRv), NS: namespace });
  const indexOf = (name: string) => {
    const m = /^user=user-(\d+)$/.exec(name);
    const i = m ? Number(m[1]) : -1;
    return i >= 0 && i < users && csrRv[i]! > 0 ? i : -1;
  };
  // Every event since the last 410, so a watch from a list's resourceVersion gets what happened
  // after it (as the API server's watch cache replays), not only what happens after it connects.
  let history: { rv: number; i: number; state: number }[] = [];
  const render = (e: { rv: number; i: number; state: number }) => `${csr.event[e.state]!(csrValues(e.i, e.rv))}\n`;
  const emit = (i: number) => {
    const event = { rv: csrRv[i]!, i, state: state[i]! };
    history.push(event);
    const line = render(event);
    for (const res of csrWatches) res.write(line);
  };
  const bookmarkLine = () => {
    const o = JSON.parse(recorded.bookmark) as Obj;
    o.object.metadata.resourceVersion = String(rv);
    return `${JSON.stringify(o)}\n`;
  };
  const bookmarks = setInterval(() => {
    const line = bookmarkLine();
    for (const res of csrWatches) res.write(line);
  }, 5_000);

  let lease: Obj | undefined;
  const ca = await createCa('loadgen-ca');
  const served = await serverCertificate(ca);

  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const status = (code: number, reason: string, message: string) =>
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (text += c));
      req.on('end', () => resolve(text));
    });

  const page = (
    res: ServerResponse,
    query: URLSearchParams,
    total: number,
    exists: (i: number, atRv: number) => boolean,
    item: (i: number) => string,
    envelope: Obj,
    listRv: number,
  ) => {
    const limit = Math.max(1, Math.min(Number(query.get('limit') ?? total) || total, 5000));
    let start = 0;
    let atRv = listRv;
    const token = query.get('continue');
    if (token) {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { start: number; rv: number };
      start = parsed.start;
      atRv = parsed.rv;
    }
    const items: string[] = [];
    let i = start;
    for (; i < total && items.length < limit; i += 1) if (exists(i, atRv)) items.push(item(i));
    let remaining = 0;
    for (let j = i; j < total; j += 1) if (exists(j, atRv)) remaining += 1;
    const metadata: Obj = { resourceVersion: String(atRv) };
    if (remaining > 0) {
      metadata.continue = Buffer.from(JSON.stringify({ start: i, rv: atRv })).toString('base64');
      metadata.remainingItemCount = remaining;
    }
    const { metadata: _metadata, ...head } = envelope;
    stats.listPages += 1;
    send(res, 200, `${JSON.stringify({ ...head, metadata }).slice(0, -1)},"rows":[${items.join(',')}]}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${options.token}`) return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const url = new URL(req.url ?? '/', 'https://loadgen');
    const q = url.searchParams;
    const path = url.pathname;
    if (path === csrBase && req.method === 'GET') {
      if (q.get('fieldSelector') !== `spec.signerName=${signer}`)
        return send(res, 400, status(400, 'BadRequest', 'the load generator serves only the signer field selector'));
      if (q.get('watch') !== 'true' && !String(req.headers.accept).includes('as=Table'))
        return send(res, 406, status(406, 'NotAcceptable', 'the load generator lists CSRs only as a Table'));
      if (q.get('watch') === 'true') {
        const from = Number(q.get('resourceVersion') ?? 0);
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        stats.watches += 1;
        if (from < expiredBefore) {
          stats.expired += 1;
          return res.end(`${recorded.expired}\n`);
        }
        for (const event of history) if (event.rv > from) res.write(render(event));
        csrWatches.add(res);
        const timeout = setTimeout(
          () => {
            csrWatches.delete(res);
            res.end();
          },
          Number(q.get('timeoutSeconds') ?? 300) * 1000,
        );
        res.on('close', () => {
          clearTimeout(timeout);
          csrWatches.delete(res);
        });
        return;
      }
      if (!q.get('continue')) stats.lists += 1;
      return page(
        res,
        q,
        users,
        (i, atRv) => createdRv[i]! > 0 && createdRv[i]! <= atRv,
        (i) => table.row(state[i]!, csrValues(i)),
        table.envelope,
        rv,
      );
    }
    if (path.startsWith(`${csrBase}/`)) {
      const rest = decodeURIComponent(path.slice(csrBase.length + 1));
      const approval = rest.endsWith('/approval');
      const i = indexOf(approval ? rest.slice(0, -'/approval'.length) : rest);
      if (i < 0) return send(res, 404, status(404, 'NotFound', `certificatesigningrequests.certificates.k8s.io "${rest}" not found`));
      if (req.method === 'GET') {
        stats.gets += 1;
        return send(res, 200, csr.object[state[i]!]!(csrValues(i)));
      }
      if (req.method === 'PUT' && approval) {
        const body = JSON.parse(await readBody(req)) as Obj;
        if (String(body.metadata?.resourceVersion) !== String(csrRv[i])) {
          stats.conflicts += 1;
          return send(
            res,
            409,
            status(
              409,
              'Conflict',
              `Operation cannot be fulfilled on certificatesigningrequests.certificates.k8s.io "user=user-${i}": the object has been modified; please apply your changes to the latest version and try again`,
            ),
          );
        }
        if (state[i] !== pending) stats.doubleApprovals += 1;
        stats.approvals += 1;
        state[i] = approved;
        csrRv[i] = ++rv;
        approvedAt.set(i, performance.now());
        send(res, 200, csr.object[approved]!(csrValues(i)));
        emit(i);
        setTimeout(() => {
          state[i] = issued;
          csrRv[i] = ++rv;
          requests.delete(i);
          emit(i);
        }, 5);
        return;
      }
    }
    const saBase = `/api/v1/namespaces/${namespace}/serviceaccounts`;
    if (path.startsWith(`${saBase}/`) && req.method === 'GET') {
      const m = /^user-(\d+)$/.exec(decodeURIComponent(path.slice(saBase.length + 1)));
      const i = m ? Number(m[1]) : -1;
      return i >= 0 && i < users ? send(res, 200, sa(saValues(i))) : send(res, 404, status(404, 'NotFound', 'serviceaccount not found'));
    }
    if (path.includes('/leases')) {
      if (req.method === 'GET')
        return lease ? send(res, 200, JSON.stringify(lease)) : send(res, 404, status(404, 'NotFound', 'lease not found'));
      const body = JSON.parse(await readBody(req)) as Obj;
      if (req.method === 'POST' && lease) return send(res, 409, status(409, 'AlreadyExists', 'lease exists'));
      if (req.method === 'PUT' && (!lease || body.metadata?.resourceVersion !== lease.metadata.resourceVersion))
        return send(res, 409, status(409, 'Conflict', 'lease modified'));
      lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++rv) } };
      return send(res, req.method === 'POST' ? 201 : 200, JSON.stringify(lease));
    }
    if (path.endsWith('/events') && req.method === 'POST') {
      stats.events += 1;
      const body = await readBody(req);
      return send(res, 201, body);
    }
    send(res, 404, status(404, 'NotFound', `the load generator does not serve ${req.method} ${path}`));
  };

  const server = https.createServer(
    { cert: served.certificatePem, key: served.keyPem, keepAlive: true },
    (req, res) => void handle(req, res).catch(() => res.destroy()),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: ca.certificatePem,
    port,
    create(i, requestPem) {
      requests.set(i, Buffer.from(requestPem).toString('base64'));
      state[i] = pending;
      csrRv[i] = ++rv;
      createdRv[i] = rv;
      createdAt.set(i, performance.now());
      emit(i);
    },
    expire() {
      expiredBefore = rv; // a watch from any older version gets 410 and must list again
      history = [];
      for (const res of csrWatches) res.end(`${recorded.expired}\n`);
      csrWatches.clear();
    },
    stats,
    decidedCount: () => approvedAt.size,
    approvedAt,
    createdAt,
    async close() {
      clearInterval(bookmarks);
      for (const res of csrWatches) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
