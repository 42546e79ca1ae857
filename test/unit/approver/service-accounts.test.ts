// The ServiceAccount informer's store: each account reduced to uid, groups and resourceVersion as
// it arrives; a full list replaces the store (accounts it no longer holds are dropped), a list that
// fails half-way drops nothing, and unreadable accounts count as absent.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from '@jest/globals';
import { ServiceAccountCache } from '../../../src/approver/service-accounts.js';

const account = (name: string, uid: string, groups?: string, rv = '1') => ({
  metadata: {
    name,
    uid,
    resourceVersion: rv,
    ...(groups === undefined ? {} : { annotations: { 'kube-csr-login.io/groups': groups } }),
    labels: { big: 'x'.repeat(1000) },
  },
  secrets: [{ name: `${name}-token` }],
});

test('keeps name, uid and groups; events update it; a new list drops what it no longer holds', () => {
  const cache = new ServiceAccountCache();
  expect(cache.synced).toBe(false);
  cache.collect([account('jean', 'u1', 'devs, ops team'), account('ann', 'u2')], true);
  cache.collect([account('bob', 'u3', 'devs')], false);
  cache.listed();
  expect(cache.synced).toBe(true);
  expect(cache.get('jean')).toEqual({ name: 'jean', uid: 'u1', groups: ['devs', 'ops team'] });
  expect(cache.get('ann')).toEqual({ name: 'ann', uid: 'u2', groups: [] });
  cache.apply('MODIFIED', account('ann', 'u2', 'ops', '2'));
  cache.apply('DELETED', account('bob', 'u3'));
  cache.apply('ADDED', { metadata: { name: 'broken' } });
  expect(cache.get('ann')?.groups).toEqual(['ops']);
  expect([cache.get('bob'), cache.get('broken'), cache.size]).toEqual([undefined, undefined, 2]);
  // a relist (after 410 Gone) that no longer holds jean
  cache.collect([account('ann', 'u2', 'ops', '3')], true);
  cache.listed();
  expect([cache.get('jean'), cache.get('ann')?.uid, cache.size]).toEqual([undefined, 'u2', 1]);
  // an empty list empties it
  cache.collect([], true);
  cache.listed();
  expect(cache.size).toBe(0);
});

test('a list that fails half-way drops nothing; the next complete list does', () => {
  const cache = new ServiceAccountCache();
  cache.collect([account('a', 'u1'), account('b', 'u2')], true);
  cache.listed();
  cache.collect([account('a', 'u1')], true); // then the list fails: listed() is never called
  expect([cache.get('a')?.uid, cache.get('b')?.uid]).toEqual(['u1', 'u2']);
  cache.collect([account('c', 'u3')], true);
  cache.listed();
  expect([cache.get('a'), cache.get('b'), cache.get('c')?.uid]).toEqual([undefined, undefined, 'u3']);
});

test('100,000 accounts take a few MB of heap, not the raw objects', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const cache = new ServiceAccountCache();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let page = 0; page < 400; page += 1) {
    cache.collect(
      Array.from({ length: 250 }, (_, i) =>
        account(
          `user-${page * 250 + i}`,
          `0c9d3f55-7a1e-4c7b-9a53-${String(page * 250 + i).padStart(12, '0')}`,
          'devs,ops',
          String(1000 + i),
        ),
      ),
      page === 0,
    );
  }
  cache.listed();
  gc();
  const perAccount = (process.memoryUsage().heapUsed - before) / cache.size;
  expect(cache.size).toBe(100_000);
  expect(cache.get('user-99999')?.groups).toEqual(['devs', 'ops']);
  // each raw account above holds > 1 KB; what is kept is a name and one short string
  expect(perAccount).toBeLessThan(300);
});
