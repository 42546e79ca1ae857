// The informer loop against a scripted API: a dropped or timed-out watch resumes from the last
// resourceVersion seen (bookmarks included), only "410 Gone" and errors lead to a fresh list. Lists
// come in pages, filtered by the API server to our signer.
import { approverApi } from '../../../src/approver/approver-api.js';
import { createApiClient } from '../../../src/kube/http.js';
import { startFakeApi } from '../../helpers/fake-api.js';
import { expect, test } from '@jest/globals';
import { type ListWatchSource, listWatch } from '../../../src/approver/list-watch.js';
import type { RawWatchEvent } from '../../../src/kube/watch-stream.js';

const obj = (name: string, rv: string) => ({ metadata: { name, resourceVersion: rv } });
const added = (name: string, rv: string): RawWatchEvent => ({ type: 'ADDED', object: obj(name, rv), resourceVersion: rv });

test('resumes after a dropped watch, lists again after 410 and after errors, and stops on abort', async () => {
  const stop = new AbortController();
  let now = 0;
  const calls: string[] = [];
  const seen: string[] = [];
  const lists = [
    { items: [obj('a', '5')], resourceVersion: '10' },
    { items: [obj('a', '5'), obj('b', '11')], resourceVersion: '20' },
    { items: [], resourceVersion: '30' },
  ];
  const watches: (RawWatchEvent[] | 'throw')[] = [
    [added('b', '11'), { type: 'BOOKMARK', resourceVersion: '15' }], // then the connection drops
    [{ type: 'EXPIRED' }],
    'throw',
  ];
  const source: ListWatchSource = {
    async list(page) {
      calls.push('list');
      const next = lists.shift();
      if (!next) throw new Error('apiserver down');
      page(next.items, true);
      return next.resourceVersion;
    },
    async *watch(resourceVersion) {
      calls.push(`watch@${resourceVersion}`);
      const next = watches.shift() ?? [];
      if (next === 'throw') throw new Error('watch refused');
      for (const event of next) yield event;
      if (watches.length === 0 && lists.length === 0) stop.abort();
    },
  };
  const logs: string[] = [];
  await listWatch(
    source,
    {
      page: (items) => seen.push(`page:${items.length}`),
      listed: () => seen.push('listed'),
      event: (type, object) => seen.push(`${type}:${JSON.stringify(object.metadata)}`),
    },
    { now: () => new Date(now), sleep: async (ms) => void (now += ms), log: (line) => logs.push(line) },
    { what: 'test', watchTimeoutSeconds: 300, signal: stop.signal },
  );
  expect(calls).toEqual(['list', 'watch@10', 'watch@15', 'list', 'watch@20', 'list', 'watch@30']);
  expect(seen).toEqual(['page:1', 'listed', 'ADDED:{"name":"b","resourceVersion":"11"}', 'page:2', 'listed', 'page:0', 'listed']);
  expect(logs).toEqual([expect.stringContaining('watch refused')]);
});

test('a watch that ends at its timeout is resumed from the last bookmark, never listed again', async () => {
  const stop = new AbortController();
  let now = 0;
  const calls: string[] = [];
  const source: ListWatchSource = {
    async list() {
      calls.push('list');
      return '1';
    },
    async *watch(resourceVersion, timeoutSeconds) {
      calls.push(`watch@${resourceVersion}/${timeoutSeconds}s`);
      now += timeoutSeconds * 1000; // the server ends the watch at its timeout
      yield { type: 'BOOKMARK', resourceVersion: String(Number(resourceVersion) + 1) };
      if (calls.length === 5) stop.abort();
    },
  };
  await listWatch(
    source,
    { page: () => undefined, listed: () => undefined, event: () => undefined },
    { now: () => new Date(now), sleep: async () => undefined, log: () => undefined },
    { what: 't', watchTimeoutSeconds: 300, signal: stop.signal },
  );
  expect(calls).toEqual(['list', 'watch@1/300s', 'watch@2/300s', 'watch@3/300s', 'watch@4/300s']);
});

test('the API lists CSRs of our signer as Table rows in pages of 500, following continue tokens', async () => {
  const token = 'approver-token';
  const total = 1100;
  const queries: string[] = [];
  const accepts: (string | undefined)[] = [];
  const api = await startFakeApi({
    token,
    routes: (request) => {
      if (request.method !== 'GET' || request.path !== '/apis/certificates.k8s.io/v1/certificatesigningrequests') return undefined;
      queries.push(request.query.toString());
      accepts.push(request.headers.accept);
      const start = Number(request.query.get('continue') ?? 0);
      const end = Math.min(total, start + Number(request.query.get('limit')));
      const rows = Array.from({ length: end - start }, (_, i) => ({ cells: [`csr-${start + i}`, 'Pending'] }));
      const metadata = { resourceVersion: '77', ...(end < total ? { continue: String(end) } : {}) };
      return { status: 200, body: { kind: 'Table', columnDefinitions: [{ name: 'Name' }, { name: 'Condition' }], metadata, rows } };
    },
  });
  try {
    const client = createApiClient({ server: api.url, certificateAuthorityPem: api.caPem }, token, { httpsProxy: '', noProxy: '' });
    const pages: number[] = [];
    const resourceVersion = await approverApi(client, 'test').csrs.list((rows) => pages.push(rows.length));
    expect(resourceVersion).toBe('77');
    expect(pages).toEqual([500, 500, 100]);
    const query = 'fieldSelector=spec.signerName%3Dkubernetes.io%2Fkube-apiserver-client&limit=500&includeObject=None';
    expect(queries).toEqual([query, `${query}&continue=500`, `${query}&continue=1000`]);
    expect(new Set(accepts)).toEqual(new Set(['application/json;as=Table;g=meta.k8s.io;v=v1']));
  } finally {
    await api.close();
  }
});

test('a watch refused with HTTP 410 Gone means: list again', async () => {
  const token = 'approver-token';
  const queries: string[] = [];
  const api = await startFakeApi({
    token,
    routes: (request) => {
      if (request.path !== '/apis/certificates.k8s.io/v1/certificatesigningrequests' || request.query.get('watch') !== 'true')
        return undefined;
      queries.push(
        `${request.query.get('fieldSelector')} ${request.query.get('resourceVersion')} ${request.query.get('allowWatchBookmarks')}`,
      );
      return { status: 410, body: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 5 (900)' } };
    },
  });
  try {
    const client = createApiClient({ server: api.url, certificateAuthorityPem: api.caPem }, token, { httpsProxy: '', noProxy: '' });
    const events: RawWatchEvent[] = [];
    for await (const event of approverApi(client, 'test').csrs.watch('5', 10, new AbortController().signal)) events.push(event);
    expect(events).toEqual([{ type: 'EXPIRED' }]);
    expect(queries).toEqual(['spec.signerName=kubernetes.io/kube-apiserver-client 5 true']);
  } finally {
    await api.close();
  }
});
