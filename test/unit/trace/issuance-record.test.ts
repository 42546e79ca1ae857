// The approver's issuance record, fed watch objects as the API server sends them: one record (log
// fields + counter) when the signer filled status.certificate of a CSR this approver approved, with
// the ServiceAccount name and UID and the certificate's credential id and validity; nothing for CSRs
// approved by someone else, of another namespace, oversized or unreadable certificates, or a repeat.
import { X509Certificate, createHash } from 'node:crypto';
import { expect, test } from '@jest/globals';
import { issuanceRecorder } from '../../../src/approver/issuance-record.js';
import { createMetrics } from '../../../src/approver/metrics.js';
import { createCa, signCsr } from '../../helpers/pki.js';
import { requestPem } from '../approver/csr-builder.js';

const config = { usersNamespace: 'users', maxExpirationSeconds: 86_400 };

async function issuedObject(overrides: { reason?: string; namespace?: string; uid?: string; certificate?: string } = {}) {
  const ca = await createCa('signer');
  const pem = await signCsr(ca, await requestPem('alice', { subject: [{ CN: ['alice'] }, { O: ['devs', 'ops'] }] }), {
    notBefore: new Date('2026-05-01T09:55:00Z'),
    notAfter: new Date('2026-05-01T11:00:00Z'),
  });
  return {
    pem,
    object: {
      metadata: { name: 'user=alice', uid: overrides.uid ?? 'csr-uid-1', resourceVersion: '9', creationTimestamp: '2026-05-01T10:00:00Z' },
      spec: {
        request: Buffer.from('unused').toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client',
        usages: ['client auth'],
        username: `system:serviceaccount:${overrides.namespace ?? 'users'}:alice`,
        uid: 'sa-uid-7',
        groups: ['system:serviceaccounts'],
      },
      status: {
        conditions: [{ type: 'Approved', status: 'True', reason: overrides.reason ?? 'KubeCsrLoginApproved', message: 'ok' }],
        certificate: overrides.certificate ?? Buffer.from(pem).toString('base64'),
      },
    },
  };
}

function recorder() {
  const logged: { line: string; fields: Record<string, unknown> | undefined }[] = [];
  const metrics = createMetrics();
  const observe = issuanceRecorder({
    config,
    log: (line, fields) => logged.push({ line, fields }),
    now: () => new Date('2026-05-01T10:00:02Z'),
    issued: () => metrics.certificateIssued(),
  });
  return { logged, metrics, observe };
}

test('one record per certificate issued for a CSR this approver approved, with ServiceAccount and credential id', async () => {
  const { logged, metrics, observe } = recorder();
  const { pem, object } = await issuedObject();
  observe(object);
  observe(object); // the same CSR seen again (a resumed watch): not a second record
  expect(logged).toHaveLength(1);
  const id = `X509SHA256=${createHash('sha256').update(new X509Certificate(pem).raw).digest('hex')}`;
  expect(logged[0]?.fields).toEqual({
    record: 'certificate-issued',
    credentialId: id,
    user: 'alice',
    groups: 'devs,ops',
    serviceAccount: 'alice',
    serviceAccountNamespace: 'users',
    serviceAccountUid: 'sa-uid-7',
    notBefore: '2026-05-01T09:55:00.000Z',
    notAfter: '2026-05-01T11:00:00.000Z',
    csr: 'user=alice',
    csrUid: 'csr-uid-1',
    issuedAt: '2026-05-01T10:00:02.000Z',
  });
  expect(logged[0]?.line).toContain(`issued certificate ${id} to alice (ServiceAccount users/alice uid sa-uid-7) for CSR user=alice`);
  expect(metrics.render()).toContain('kube_csr_login_approver_certificates_issued_total 1\n');
});

test('no record for a CSR approved by someone else, of another namespace, not yet issued, or with an oversized or unreadable certificate', async () => {
  const { logged, metrics, observe } = recorder();
  observe((await issuedObject({ reason: 'KubectlApprove', uid: 'a' })).object);
  observe((await issuedObject({ namespace: 'other', uid: 'b' })).object);
  observe((await issuedObject({ certificate: Buffer.from('x'.repeat(70_000)).toString('base64'), uid: 'c' })).object);
  observe(
    (
      await issuedObject({
        certificate: Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64'),
        uid: 'd',
      })
    ).object,
  );
  const pending = (await issuedObject({ uid: 'e' })).object;
  observe({ ...pending, status: { conditions: pending.status.conditions } });
  observe({ metadata: {}, status: { certificate: 'AAAA' } });
  expect(logged).toEqual([]);
  expect(metrics.render()).toContain('kube_csr_login_approver_certificates_issued_total 0\n');
});
