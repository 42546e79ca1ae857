// The ExtraExtensions rule: any extension request other than SANs (which have their own rule) is denied.
import 'reflect-metadata';
import { describe, expect, test } from '@jest/globals';
import * as x509 from '@peculiar/x509';
import { tryReadCsrFacts } from '../../../src/approver/csr-facts.js';
import { decide } from '../../../src/approver/policy.js';
import { hostileCsr } from '../../helpers/hostile-csr.js';

async function judge(key: string, extensions: x509.Extension[] | undefined) {
  const spec = await hostileCsr('jean.doe', key, extensions ? { extensions } : {});
  const csr = {
    name: spec.name,
    uid: 'uid',
    resourceVersion: '1',
    creationTimestamp: new Date(),
    signerName: spec.signerName,
    requestPem: spec.requestPem,
    usages: spec.usages,
    username: 'system:serviceaccount:users:jean.doe',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:users', 'system:authenticated'],
    conditions: [],
    ...(spec.expirationSeconds !== undefined ? { expirationSeconds: spec.expirationSeconds } : {}),
  };
  return decide(
    {
      csr,
      requesterUid: 'sa-uid',
      facts: tryReadCsrFacts(csr.requestPem),
      serviceAccount: { name: 'jean.doe', uid: 'sa-uid', groups: ['devs', 'ops'] },
    },
    { usersNamespace: 'users', maxExpirationSeconds: 86_400 },
  );
}

describe('approver policy: extensions', () => {
  test('a basicConstraints CA:true extension request is denied as ExtraExtensions', async () => {
    expect(await judge('ca-ext', [new x509.BasicConstraintsExtension(true, 0, true)])).toMatchObject({
      action: 'deny',
      reason: 'ExtraExtensions',
    });
  });
  test('a keyUsage extension request is denied as ExtraExtensions', async () => {
    expect(await judge('ku-ext', [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature)])).toMatchObject({
      action: 'deny',
      reason: 'ExtraExtensions',
    });
  });
  test('without extensions the same CSR is approved', async () => {
    expect((await judge('no-ext', undefined)).action).toBe('approve');
  });
});
