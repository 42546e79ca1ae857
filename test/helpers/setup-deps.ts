// The token-storage deps of a setup unit test: Linux, a fixed new passphrase, no waiting, and scrypt
// parameters small enough for a test (the stored format records them).
import type { TokenDeps } from '../../src/token/token-store.js';

export function testTokenDeps(): TokenDeps {
  return {
    platform: 'linux',
    newPassphrase: async () => 'correct horse',
    warn: () => undefined,
    sleep: async () => undefined,
    scrypt: { N: 1024, r: 8, p: 1 },
  };
}
