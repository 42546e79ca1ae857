// admin trace's core on fixed inputs: JSON lines read with a line bound (oversized, malformed,
// split across chunks), audit events joined with issuance records by credential id, one event per
// request, and the signs that the two inputs are not from the same cluster or time.
import { expect, test } from '@jest/globals';
import { readJsonLines } from '../../../src/trace/json-lines.js';
import { renderTraceText } from '../../../src/trace/render-trace.js';
import { trace } from '../../../src/trace/trace.js';

const idA = `X509SHA256=${'a'.repeat(64)}`;
const idB = `X509SHA256=${'b'.repeat(64)}`;

async function* chunks(...parts: (string | Buffer)[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

const lines = (...objects: object[]) => objects.map((o) => `${JSON.stringify(o)}\n`).join('');

function event(id: string | undefined, time: string, extra: Record<string, unknown> = {}) {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    auditID: `audit-${time}`,
    stage: 'ResponseComplete',
    verb: 'get',
    requestURI: '/api/v1/namespaces/default/pods',
    user: {
      username: 'alice',
      groups: ['devs', 'system:authenticated'],
      ...(id ? { extra: { 'authentication.kubernetes.io/credential-id': [id] } } : {}),
    },
    sourceIPs: ['10.1.2.3'],
    responseStatus: { code: 403 },
    requestReceivedTimestamp: time,
    ...extra,
  };
}

function record(id: string, uid: string, from: string, to: string) {
  return {
    time: from,
    msg: 'issued certificate',
    record: 'certificate-issued',
    credentialId: id,
    user: 'alice',
    groups: 'devs',
    serviceAccount: 'alice',
    serviceAccountNamespace: 'users',
    serviceAccountUid: uid,
    notBefore: from,
    notAfter: to,
    csr: 'user=alice',
    csrUid: `csr-${uid}`,
    issuedAt: from,
  };
}

test('lines: blank ones skipped; oversized (in one chunk or across many) and malformed reported by number; UTF-8 split across chunks', async () => {
  const seen: unknown[] = [];
  const problems: unknown[] = [];
  const big = 'x'.repeat(1024 * 1024 + 10);
  const accented = Buffer.from('\n[1]\n{"s":"\u00e9\u00e8"}\n{"bad"');
  const inside = accented.indexOf(0xc3) + 1; // between the two bytes of \u00e9
  const total = await readJsonLines(
    chunks(
      '{"a":1}\n\n',
      `${big}\n`,
      big.slice(0, 600_000),
      big.slice(600_000),
      accented.subarray(0, inside),
      accented.subarray(inside),
      '\n{"last":true}',
    ),
    (object, line) => seen.push([line, object]),
    (problem) => problems.push(problem),
  );
  expect(total).toBe(8);
  expect(seen).toEqual([
    [1, { a: 1 }],
    [6, { s: '\u00e9\u00e8' }],
    [8, { last: true }],
  ]);
  expect(problems).toEqual([
    { line: 3, problem: 'longer than 1048576 characters: skipped' },
    { line: 4, problem: 'longer than 1048576 characters: skipped' },
    { line: 5, problem: 'not a JSON object' },
    { line: 7, problem: 'not JSON' },
  ]);
});

test('requests are joined with the record of their credential id; one event per request; others counted', async () => {
  const audit = lines(
    event(idA, '2026-05-01T10:01:00Z', { stage: 'ResponseStarted' }), // a watch's first stage: not a second request
    event(idA, '2026-05-01T10:01:00Z'),
    event(idA, '2026-05-01T10:02:00Z', { verb: 'list' }),
    event(undefined, '2026-05-01T10:03:00Z'),
    { kind: 'Event', apiVersion: 'v1' },
  );
  const records = lines(
    { time: '2026-05-01T09:00:00Z', msg: 'became the leader' },
    record(idA, 'sa-1', '2026-05-01T09:55:00Z', '2026-05-01T11:00:00Z'),
    { record: 'certificate-issued', credentialId: 'X509SHA256=zz' },
  );
  const report = await trace({ audit: chunks(audit), records: chunks(records), maxRequests: 1 });
  expect([report.auditEvents, report.withoutCredentialId, report.records]).toEqual([3, 1, 1]);
  expect(report.problems).toEqual([
    { source: 'records', line: 3, problem: 'issuance record without a valid credentialId' },
    { source: 'audit log', line: 5, problem: 'not an audit.k8s.io Event with a user and requestReceivedTimestamp' },
  ]);
  const [a] = report.credentials;
  expect(a).toMatchObject({ credentialId: idA, username: 'alice', groups: ['devs'], requestCount: 2, outsideValidity: 0 });
  expect(a?.record?.serviceAccountUid).toBe('sa-1');
  expect(a?.requests).toHaveLength(1);
  expect(report.mismatches).toEqual([]);
  const text = renderTraceText(report);
  expect(text).toContain(
    `${idA}\n  user            alice (groups devs)\n  ServiceAccount  users/alice uid sa-1\n  valid           2026-05-01T09:55:00Z to 2026-05-01T11:00:00Z\n  CSR             user=alice uid csr-sa-1\n  requests        2 from 2026-05-01T10:01:00Z to 2026-05-01T10:02:00Z\n    2026-05-01T10:01:00Z get /api/v1/namespaces/default/pods 403 10.1.2.3\n    ... 1 more (raise --requests)\n`,
  );
  expect(text).toContain('audit log line 5: not an audit.k8s.io Event');
});

test('an audit log from another cluster: no credential id in common with the records', async () => {
  const report = await trace({
    audit: chunks(lines(event(idB, '2026-05-01T10:01:00Z'))),
    records: chunks(lines(record(idA, 'sa-1', '2026-05-01T09:55:00Z', '2026-05-01T11:00:00Z'))),
    maxRequests: 10,
  });
  expect(report.mismatches.map((m) => m.kind)).toEqual(['no-overlap']);
  expect(report.mismatches[0]?.message).toContain(
    'none of the 1 client-certificate credential ids in the audit log is among the 1 issuance records',
  );
});

test('requests outside the recorded validity, an unrecorded certificate of a known user, and a ServiceAccount UID the records never saw', async () => {
  const token = { user: { username: 'system:serviceaccount:users:alice', uid: 'sa-2', groups: ['system:serviceaccounts'] } };
  const report = await trace({
    audit: chunks(
      lines(
        event(idA, '2026-05-01T12:00:00Z'),
        event(idB, '2026-05-01T10:00:00Z'),
        event(undefined, '2026-05-01T10:00:00Z', token),
        event(undefined, '2026-05-01T10:00:01Z', token),
      ),
    ),
    records: chunks(lines(record(idA, 'sa-1', '2026-05-01T09:55:00Z', '2026-05-01T11:00:00Z'))),
    maxRequests: 10,
  });
  expect(report.mismatches.map((m) => m.kind)).toEqual(['unrecorded-certificate', 'outside-validity', 'serviceaccount-uid']);
  expect(report.mismatches[2]?.message).toBe(
    'system:serviceaccount:users:alice made requests as uid sa-2; the records know it as sa-1 (removed and re-added, or another cluster)',
  );
});

test('--user and --credential-id keep only the matching credentials', async () => {
  const audit = () =>
    chunks(
      lines(
        event(idA, '2026-05-01T10:00:00Z'),
        event(idB, '2026-05-01T10:00:00Z', { user: { username: 'bob', extra: { 'authentication.kubernetes.io/credential-id': [idB] } } }),
      ),
    );
  expect((await trace({ audit: audit(), user: 'bob', maxRequests: 5 })).credentials.map((c) => c.credentialId)).toEqual([idB]);
  expect((await trace({ audit: audit(), credentialId: idA, maxRequests: 5 })).credentials.map((c) => c.username)).toEqual(['alice']);
});
