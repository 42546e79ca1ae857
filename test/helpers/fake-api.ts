// An in-process HTTPS stand-in for the CSR API, for the error paths a real server will not produce
// on demand (500s, slow answers, dropped watches). The end-to-end suite uses the real control plane.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { testEpoch } from './clock.js';
import { type TestCa, createCa, serverCertificate, signCsr } from './pki.js';

type Decision = 'approve' | 'deny' | 'fail' | 'none';

export interface FakeApiOptions {
  token: string;
  decision?: Decision;
  /** Validity the fake signer gives, relative to now. */
  lifetimeMs?: number;
  /** The server's clock (creation times, validity): by default it stands at testEpoch, where the
   * in-process tests' clocks start; tests that start real processes (which read the real clock)
   * pass the real one. */
  now?: () => Date;
  /** Answer this status to every request matching method + path prefix. */
  fault?: { method?: string; status: number; body?: object; times?: number };
  /** Close every watch right after it opens, this many times. */
  dropWatches?: number;
  /**
   * Extra routes (other resources than CSRs), asked after authentication and before the CSR routes;
   * undefined falls through to them.
   */
  routes?: (request: FakeRequest) => FakeAnswer | undefined | Promise<FakeAnswer | undefined>;
  /** Who the token is: spec.username of the CSRs it creates and its SelfSubjectReview. */
  username?: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeAnswer {
  status: number;
  body: object;
}

interface StoredCsr {
  object: Record<string, any>;
}

export interface FakeApi {
  url: string;
  caPem: string;
  ca: TestCa;
  csrs: Map<string, StoredCsr>;
  requests: string[];
  created: number;
  options: FakeApiOptions;
  /** Deletes a stored CSR, as an admin or the csrcleaner would. */
  remove: (name: string) => Promise<void>;
  /** Decides a stored CSR now, as an admin (and the signer) would. */
  decide: (name: string, decision: Decision) => Promise<void>;
  close: () => Promise<void>;
}

const base = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

export async function startFakeApi(options: FakeApiOptions): Promise<FakeApi> {
  const ca = await createCa();
  const tls = await serverCertificate(ca);
  const now = options.now ?? (() => testEpoch);
  let rv = 1;
  const watchers = new Set<{ name: string; res: ServerResponse }>();
  const api: FakeApi = {
    url: '',
    caPem: ca.certificatePem,
    ca,
    csrs: new Map(),
    requests: [],
    created: 0,
    options,
    decide: async () => undefined,
    remove: async () => undefined,
    close: async () => undefined,
  };

  const notify = (type: string, object: Record<string, any>) => {
    for (const w of watchers) if (w.name === object.metadata.name) w.res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const decide = async (stored: StoredCsr, decision: Decision) => {
    const o = stored.object;
    if (decision === 'none') return;
    const type = decision === 'approve' ? 'Approved' : decision === 'deny' ? 'Denied' : 'Failed';
    o.status.conditions = [
      { type, status: 'True', reason: `Test${type}`, message: `${type.toLowerCase()} by the fake`, lastUpdateTime: now().toISOString() },
    ];
    if (decision === 'approve') {
      const pem = Buffer.from(o.spec.request, 'base64').toString('utf8');
      const lifetime = options.lifetimeMs ?? 3600_000;
      const cert = await signCsr(ca, pem, {
        notBefore: new Date(now().getTime() - 300_000),
        notAfter: new Date(now().getTime() + lifetime),
      });
      o.status.certificate = Buffer.from(cert).toString('base64');
    }
    o.metadata.resourceVersion = String(++rv);
    notify('MODIFIED', o);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://x');
    api.requests.push(`${req.method} ${url.pathname}${url.searchParams.has('watch') ? '?watch' : ''}`);
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fault = options.fault;
    if (fault && (fault.times ?? Infinity) > 0 && (!fault.method || fault.method === req.method)) {
      if (fault.times !== undefined) fault.times -= 1;
      return send(fault.status, fault.body ?? { kind: 'Status', message: `injected ${fault.status}` });
    }
    if (req.headers.authorization !== `Bearer ${options.token}`) return send(401, { kind: 'Status', message: 'Unauthorized' });
    const body = await new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => resolve(text));
    });
    const routed = await options.routes?.({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    if (routed) return send(routed.status, routed.body);
    const username = options.username ?? 'system:serviceaccount:users:jean.doe';
    if (req.method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/selfsubjectreviews') {
      return send(201, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'SelfSubjectReview',
        status: { userInfo: { username, groups: ['system:authenticated'] } },
      });
    }
    if (req.method === 'POST' && url.pathname === base) {
      const object = JSON.parse(body);
      const name = object.metadata.name;
      if (api.csrs.has(name)) return send(409, { kind: 'Status', reason: 'AlreadyExists', message: `"${name}" already exists` });
      object.metadata = { name, uid: `uid-${++rv}`, resourceVersion: String(rv), creationTimestamp: now().toISOString() };
      object.spec.username = username;
      object.status = {};
      const stored = { object };
      api.csrs.set(name, stored);
      api.created += 1;
      send(201, object);
      setTimeout(() => void decide(stored, options.decision ?? 'approve'), 20);
      return;
    }
    const name = decodeURIComponent(url.pathname.slice(base.length + 1));
    if (req.method === 'GET' && url.searchParams.get('watch') === 'true') {
      const watched = (url.searchParams.get('fieldSelector') ?? '').replace('metadata.name=', '').replace(/\\(.)/g, '$1');
      res.writeHead(200, { 'content-type': 'application/json' });
      if ((options.dropWatches ?? 0) > 0) {
        options.dropWatches = (options.dropWatches ?? 0) - 1;
        res.flushHeaders();
        setTimeout(() => res.destroy(), 10);
        return;
      }
      const watcher = { name: watched, res };
      watchers.add(watcher);
      // Like the real apiserver, replay what changed after the watch's resourceVersion.
      const current = api.csrs.get(watched)?.object;
      if (current && Number(current.metadata.resourceVersion) > Number(url.searchParams.get('resourceVersion') ?? 0)) {
        res.write(`${JSON.stringify({ type: 'MODIFIED', object: current })}\n`);
      }
      const timeout = setTimeout(() => res.end(), Number(url.searchParams.get('timeoutSeconds') ?? 60) * 1000);
      res.on('close', () => {
        clearTimeout(timeout);
        watchers.delete(watcher);
      });
      return;
    }
    const stored = api.csrs.get(name);
    if (req.method === 'GET')
      return stored ? send(200, stored.object) : send(404, { kind: 'Status', reason: 'NotFound', message: 'not found' });
    if (req.method === 'DELETE') {
      if (!stored) return send(404, { kind: 'Status', reason: 'NotFound', message: 'not found' });
      api.csrs.delete(name);
      notify('DELETED', stored.object);
      return send(200, { kind: 'Status', status: 'Success' });
    }
    send(405, { kind: 'Status', message: 'unsupported' });
  };

  api.decide = async (name, decision) => {
    const stored = api.csrs.get(name);
    if (!stored) throw new Error(`no CSR ${name}`);
    await decide(stored, decision);
  };
  api.remove = async (name) => {
    const stored = api.csrs.get(name);
    if (!stored) throw new Error(`no CSR ${name}`);
    api.csrs.delete(name);
    notify('DELETED', stored.object);
  };
  const server = https.createServer({ cert: tls.certificatePem, key: tls.keyPem }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () =>
    new Promise((resolve) => {
      for (const w of watchers) w.res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}
