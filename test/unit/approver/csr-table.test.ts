// The CSR list as kube-apiserver's Table: the fixture is a real page (v1.37.2, limit 2, with its
// continue token) holding a pending and an issued CSR, a denied third beyond the page (recorded by
// test/cluster/record-answers.sh). Columns are found by name; a table that
// cannot tell a row's condition or requester makes it a candidate, never a skipped CSR.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { readCsrTable } from '../../../src/approver/csr-table.js';

type Table = { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
// compiled to build/test/unit/approver: the fixture stays in the source tree
const fixture = path.resolve(import.meta.dirname, '../../../../test/unit/approver/fixtures/csr-table-page.json');
const real = (): Table & Record<string, unknown> => JSON.parse(readFileSync(fixture, 'utf8'));

test('a real page: names, requesters and conditions as kube-apiserver prints them, and where to continue', () => {
  const page = readCsrTable(real());
  expect(page.rows).toEqual([
    { name: 't-a', requester: 'kube-csr-login-admin', condition: 'Pending' },
    { name: 't-b', requester: 'kube-csr-login-admin', condition: 'Approved,Issued' },
  ]);
  expect(page.resourceVersion).toBe('234');
  expect(page.continueToken).toMatch(/^eyJ/);
});

test('columns are found by name, not position', () => {
  const table = real();
  table.columnDefinitions.reverse();
  for (const row of table.rows) row.cells.reverse();
  expect(readCsrTable(table).rows[1]).toEqual({ name: 't-b', requester: 'kube-csr-login-admin', condition: 'Approved,Issued' });
});

test('without Condition or Requestor columns every row is a candidate', () => {
  const table = real();
  table.columnDefinitions = table.columnDefinitions.filter((c) => c.name === 'Name');
  expect(readCsrTable(table).rows).toEqual([
    { name: 't-a', requester: undefined, condition: 'Pending' },
    { name: 't-b', requester: undefined, condition: 'Pending' },
  ]);
});

test.each([
  ['a plain list', { kind: 'CertificateSigningRequestList', items: [] }],
  ['no Name column', { kind: 'Table', columnDefinitions: [{ name: 'Age' }], rows: [] }],
  ['not an object', 'Table'],
])('%s is an error (the list is retried with back-off)', (_name, doc) => {
  expect(() => readCsrTable(doc)).toThrow();
});

test('rows without a name are skipped; the last page has no continue token', () => {
  const table = real();
  table.rows.push({ cells: [] }, { cells: [42] });
  delete (table.metadata as Record<string, unknown>).continue;
  const page = readCsrTable(table);
  expect(page.rows.map((r) => r.name)).toEqual(['t-a', 't-b']);
  expect(page.continueToken).toBe('');
});
