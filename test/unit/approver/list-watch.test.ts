// The informer loop against a scripted API: a dropped watch resumes from the last resourceVersion
// seen, "410 Gone" and errors lead to a fresh list, and the resync deadline forces a list too.
import { expect, test } from '@jest/globals';
import { type ListWatchSource, listWatch } from '../../../src/approver/list-watch.js';
import type { RawWatchEvent } from '../../../src/approver/watch-stream.js';

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
    async list() {
      calls.push('list');
      const next = lists.shift();
      if (!next) throw new Error('apiserver down');
      return next;
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
    { replace: (items) => seen.push(`replace:${items.length}`), event: (type, object) => seen.push(`${type}:${JSON.stringify(object.metadata)}`) },
    { now: () => new Date(now), sleep: async (ms) => void (now += ms), log: (line) => logs.push(line) },
    { what: 'test', resyncMs: 60_000, signal: stop.signal },
  );
  expect(calls).toEqual(['list', 'watch@10', 'watch@15', 'list', 'watch@20', 'list', 'watch@30']);
  expect(seen).toEqual(['replace:1', 'ADDED:{"name":"b","resourceVersion":"11"}', 'replace:2', 'replace:0']);
  expect(logs).toEqual([expect.stringContaining('watch refused')]);
});

test('lists again when the resync period is over', async () => {
  const stop = new AbortController();
  let now = 0;
  const calls: string[] = [];
  const source: ListWatchSource = {
    async list() {
      calls.push('list');
      if (calls.filter((c) => c === 'list').length === 3) stop.abort();
      return { items: [], resourceVersion: '1' };
    },
    async *watch(resourceVersion, timeoutSeconds) {
      calls.push(`watch@${resourceVersion}/${timeoutSeconds}s`);
      now += timeoutSeconds * 1000; // the server ends the watch at its timeout
      yield { type: 'BOOKMARK', resourceVersion: '1' };
    },
  };
  await listWatch(source, { replace: () => undefined, event: () => undefined }, { now: () => new Date(now), sleep: async () => undefined, log: () => undefined }, { what: 't', resyncMs: 30_000, signal: stop.signal });
  expect(calls).toEqual(['list', 'watch@1/30s', 'list', 'watch@1/30s', 'list']);
});
