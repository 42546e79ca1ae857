// `approver explain` without a cluster: every rule reported with what it looked at, the request as
// the Go signer reads it, the decision; text escaped; JSON complete. (The command against the real
// API server is in test/e2e/approver.test.ts.)
import { describe, expect, test } from '@jest/globals';
import { explain, renderExplanation } from '../../../src/approver/explain.js';
import { rules } from '../../../src/approver/policy.js';
import { parseCsrObject } from '../../../src/kube/csr-object.js';
import type { Json } from '../../../src/util/validate.js';
import {
  atv,
  attribute,
  attributeOids,
  extensionRequestOid,
  rawRequestPem,
  rdn,
  sanExtension,
  seq,
  str,
} from '../../helpers/hostile-csr.js';

const config = { usersNamespace: 'users', maxExpirationSeconds: 86_400 };
const account = { name: 'jean.doe', uid: 'sa-uid', groups: ['devs'] };

function raw(pem: string, status: Json = {}): Json {
  return {
    metadata: { name: 'user=jean.doe', uid: 'u', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      request: Buffer.from(pem).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['client auth', 'digital signature'],
      expirationSeconds: 3600,
      username: 'system:serviceaccount:users:jean.doe',
      uid: 'sa-uid',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:users', 'system:authenticated'],
    },
    status,
  };
}
const subject = (...groups: string[]) => [
  rdn(atv(attributeOids.CN, str('UTF8String', 'jean.doe'))),
  ...groups.map((g) => rdn(atv(attributeOids.O, str('PrintableString', g)))),
];
const run = (object: Json, sa = account) => explain(object, parseCsrObject(object), sa, config);

describe('approver explain', () => {
  test('an approvable CSR: every rule passes, with the value each looked at', () => {
    const e = run(raw(rawRequestPem({ subject: subject('devs') })));
    expect(e.rules.map((r) => [r.reason, r.result])).toEqual(rules.map((r) => [r.reason, 'pass']));
    expect(e.decision).toMatchObject({ action: 'approve' });
    expect(e.rules.find((r) => r.reason === 'GroupNotAllowed')).toMatchObject({ looked: 'O ["devs"], allowed ["devs"]' });
    expect(e.request).toMatchObject({
      subject: [
        { type: 'CN', encoding: 'UTF8String', value: 'jean.doe' },
        { type: 'O', encoding: 'PrintableString', value: 'devs' },
      ],
      subjectAltNames: [],
      key: { type: 'ec', curve: 'prime256v1' },
    });
    expect(e).toMatchObject({
      state: 'Pending',
      requester: { uid: 'sa-uid' },
      serviceAccount: { name: 'jean.doe', allowedGroups: ['devs'] },
    });
    const text = renderExplanation(e);
    expect(text).toContain('subject        CN="jean.doe" (UTF8String), O="devs" (PrintableString)');
    expect(text).toMatch(/GroupNotAllowed\s+PASS\s+O \["devs"\], allowed \["devs"\]/);
    expect(text).toContain('decision       approve: CN=jean.doe with groups [devs]');
  });

  test('a smuggling CSR: the SANs Go would sign are shown and the failing rules say why', () => {
    const sans = sanExtension([
      [2, Buffer.from('kubernetes.default.svc')],
      [7, Buffer.of(10, 0, 0, 1)],
    ]);
    const e = run(
      raw(
        rawRequestPem({
          subject: subject('devs', 'admins'),
          attributes: [attribute(extensionRequestOid, [seq([])]), attribute(extensionRequestOid, [seq([sans])])],
        }),
      ),
    );
    const failed = e.rules.filter((r) => r.result === 'fail').map((r) => r.reason);
    expect(failed).toEqual(['GroupNotAllowed', 'SubjectAlternativeNames', 'ExtraExtensions']);
    expect(e.decision).toMatchObject({ action: 'deny', reason: 'GroupNotAllowed' });
    const text = renderExplanation(e);
    expect(text).toContain('SANs           DNS:kubernetes.default.svc, IP:10.0.0.1');
    expect(text).toContain('a second extensionRequest');
    expect(JSON.parse(JSON.stringify(e))).toEqual(e); // -o json carries all of it
  });

  test('an unreadable request and a missing ServiceAccount: the rules that need them are skipped', () => {
    const e = explain(
      raw('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'),
      parseCsrObject(raw('x')),
      undefined,
      config,
    );
    const byReason = Object.fromEntries(e.rules.map((r) => [r.reason, r.result]));
    expect(byReason).toMatchObject({
      UnknownServiceAccount: 'fail',
      InvalidRequest: 'fail',
      WeakKey: 'skipped',
      GroupNotAllowed: 'skipped',
      ExpirationTooLong: 'pass',
    });
    expect(renderExplanation(e)).toContain('not evaluated: an earlier rule failed');
  });

  test('an already approved CSR is still explained; one for another signer is not ours', () => {
    const approved = run(raw(rawRequestPem({ subject: subject() }), { conditions: [{ type: 'Approved', status: 'True' }] }));
    expect([approved.state, approved.decision.action, approved.rules.length]).toEqual(['Approved', 'ignore', rules.length]);
    const other = raw(rawRequestPem({ subject: subject() }));
    (other.spec as Json).signerName = 'example.com/other';
    expect(run(other)).toMatchObject({ rules: [], decision: { action: 'ignore', why: 'another signer' } });
  });

  test('text output escapes control characters in user-chosen values', () => {
    const e = run(
      raw(rawRequestPem({ subject: [rdn(atv(attributeOids.CN, str('UTF8String', 'jean.doe\n\u001b[2Jdecision       approve')))] })),
    );
    const text = renderExplanation(e);
    expect(text).toContain('jean.doe\\\\n\\\\u001b[2Jdecision'); // JSON-quoted, then escaped
    expect(text.match(/^decision/gm)).toHaveLength(1);
  });
});
