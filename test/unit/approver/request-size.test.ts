// Attacker-sized requests are refused before they are read: spec.request past 16 KiB is denied
// RequestTooLarge without its PEM or DER being parsed (the approver has one thread), while the
// largest request a real user sends (RSA-4096, a 63-character name, 30 groups) is approved.
import { expect, jest, test } from '@jest/globals';
import { decide } from '../../../src/approver/policy.js';
import { policyInput } from '../../../src/approver/process-csr.js';
import type { ServiceAccountInfo } from '../../../src/kube/service-account.js';
import { inputBounds } from '../../../src/util/bounded-read.js';
import { atv, attributeOids, rawRequestPem, rdn, str } from '../../helpers/hostile-csr.js';
import { csrObject, requestPem } from './csr-builder.js';

const config = { usersNamespace: 'users', maxExpirationSeconds: 86_400 };
const longName = `u${'x'.repeat(61)}z`; // 63 characters, the longest ServiceAccount name of a DNS label
const groups = Array.from({ length: 30 }, (_, i) => `group-${String(i).padStart(2, '0')}-with-a-long-name-x`);

function judge(pem: string, user: string, account: ServiceAccountInfo) {
  const csr = csrObject(pem, { username: `system:serviceaccount:users:${user}` });
  const input = policyInput({ spec: { uid: 'sa-uid' } }, csr, account);
  return { input, decision: decide(input, config) };
}

jest.setTimeout(60_000); // an RSA-4096 key takes seconds on a busy machine

test('the largest real request, RSA-4096 with a 63-character name and 30 groups, fits the bound and is approved', async () => {
  const pem = await requestPem(longName, { key: 'rsa4096', subject: [{ CN: [longName] }, { O: groups }] });
  expect(Buffer.byteLength(pem)).toBeGreaterThan(3000);
  expect(Buffer.byteLength(pem) * 4).toBeLessThan(inputBounds.csrRequest); // a wide margin
  const { decision } = judge(pem, longName, { name: longName, uid: 'sa-uid', groups });
  expect(decision).toMatchObject({ action: 'approve' });
});

test.each([
  { name: 'just past the bound', values: 460 },
  { name: '500 KB', values: 14_000 },
])('a request $name is denied RequestTooLarge, its PEM never read', ({ values }) => {
  const many = Array.from({ length: values }, (_, i) => `g${String(i).padStart(5, '0')}-xxxxxxxxxx`);
  const subject = [
    rdn(atv(attributeOids.CN, str('UTF8String', 'jean.doe'))),
    ...many.map((o) => rdn(atv(attributeOids.O, str('UTF8String', o)))),
  ];
  const pem = rawRequestPem({ subject });
  expect(Buffer.byteLength(pem)).toBeGreaterThan(inputBounds.csrRequest);
  const started = performance.now();
  const { input, decision } = judge(pem, 'jean.doe', { name: 'jean.doe', uid: 'sa-uid', groups: many });
  const elapsedMs = performance.now() - started;
  expect(input.facts).toEqual({ unreadable: `not read: larger than ${inputBounds.csrRequest} bytes` });
  expect(decision).toEqual({
    action: 'deny',
    reason: 'RequestTooLarge',
    message: `the request is ${Buffer.byteLength(pem)} bytes, more than the ${inputBounds.csrRequest} allowed`,
  });
  process.stderr.write(`request-size: ${Buffer.byteLength(pem)} bytes judged in ${elapsedMs.toFixed(2)} ms\n`);
});
