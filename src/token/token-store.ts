// The one port to the long-term token, whatever holds it (token-source.ts): read, write, remove.
// Setup writes through it, renewals read through it (the background one too), logout --forget and a
// change of storage remove through it. Stored tokens are checked against the SHA-256 setup recorded,
// so a keyring entry or file replaced behind the profile's back is refused, not silently used.
import { KclError } from '../errors.js';
import { readTextIfExists, removeIfExists, writeFileAtomic } from '../util/files.js';
import { keyringStore } from './keyring-store.js';
import { type PassphraseDeps, passphraseStore } from './passphrase-store.js';
import { readToken } from './token-file.js';
import { type TokenSource, tokenSha256 } from './token-source.js';

export interface TokenStore {
  read: () => Promise<string>;
  write: (token: string) => Promise<void>;
  /** True when something was removed. */
  remove: () => Promise<boolean>;
}

export interface TokenDeps extends PassphraseDeps {
  platform: NodeJS.Platform;
}

export function tokenStore(source: TokenSource, profile: string, deps: TokenDeps): TokenStore {
  if (source.storage === 'file') return fileStore(source.file);
  const store = source.storage === 'keyring' ? keyringStore(source.account, deps.platform) : passphraseStore(source.file, profile, deps);
  return {
    ...store,
    read: async () => {
      const token = await store.read();
      if (tokenSha256(token) !== source.sha256) {
        throw new KclError(
          'config',
          `the token in the ${source.storage} store is not the one profile "${profile}" was set up with: rerun kube-csr-login setup`,
        );
      }
      return token;
    },
  };
}

function fileStore(file: string): TokenStore {
  return {
    read: () => readToken(file),
    // unchanged content keeps its mtime: the launcher's fast path stays valid after a second setup
    write: async (token) => {
      if ((await readTextIfExists(file)) !== `${token}\n`) await writeFileAtomic(file, `${token}\n`);
    },
    remove: () => removeIfExists(file),
  };
}
