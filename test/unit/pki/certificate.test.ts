import { expect, test } from '@jest/globals';

test('subjects of Go signers (several groups in one RDN) are read correctly', async () => {
  const { parseSubject, sameIdentity } = await import('../../../src/pki/certificate.js');
  const subject = parseSubject('O=ops + O=devs\nCN=jean.doe');
  expect(sameIdentity(subject, 'jean.doe', ['devs', 'ops'])).toBe(true);
  expect(parseSubject('CN=a\\+b').commonName).toBe('a+b');
});
