// Key types the plugin can generate. ECDSA P-256 is the default, as in client-go's certificate manager.
export const keyAlgorithms = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyAlgorithm = (typeof keyAlgorithms)[number];
export const defaultKeyAlgorithm: KeyAlgorithm = 'ecdsa-p256';

export function isKeyAlgorithm(value: string): value is KeyAlgorithm {
  return (keyAlgorithms as readonly string[]).includes(value);
}

function isRsa(algorithm: KeyAlgorithm): boolean {
  return algorithm.startsWith('rsa-');
}

/** Usages for a client certificate: key encipherment only makes sense for RSA keys. */
export function clientUsages(algorithm: KeyAlgorithm): string[] {
  return isRsa(algorithm) ? ['client auth', 'digital signature', 'key encipherment'] : ['client auth', 'digital signature'];
}
