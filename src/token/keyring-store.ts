// The token in the OS secret store through @napi-rs/keyring (keyring-rs, prebuilt binaries): Keychain
// on macOS, Credential Manager on Windows, and on Linux the Secret Service over D-Bus
// (gnome-keyring, KWallet, KeePassXC), pinned so that the library never falls back to the kernel
// keyring (which forgets everything at reboot). Loaded on first use only: a cache hit never loads it.
import { KclError, describe } from '../errors.js';

const keyringService = 'kube-csr-login';
const callTimeoutMs = 15_000;

interface Entry {
  getPassword: (signal?: AbortSignal) => Promise<string | null>;
  setPassword: (password: string, signal?: AbortSignal) => Promise<void>;
  deleteCredential: (signal?: AbortSignal) => Promise<boolean>;
}

const keyringName: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'the Secret Service (D-Bus)',
  darwin: 'the macOS Keychain',
  win32: 'the Windows Credential Manager',
};

export function keyringStore(account: string, platform: NodeJS.Platform) {
  const name = keyringName[platform] ?? 'the OS keyring';
  const call = async <T>(what: string, use: (entry: Entry, signal: AbortSignal) => Promise<T>): Promise<T> => {
    let entry: Entry;
    try {
      const { AsyncEntry } = await import('@napi-rs/keyring');
      entry = new AsyncEntry(keyringService, account, platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined);
    } catch (error) {
      throw new KclError(
        'config',
        `no OS keyring reachable (${name}: ${describe(error)}): start and unlock one, or use --token-storage passphrase (or file)`,
        { cause: error },
      );
    }
    try {
      return await use(entry, AbortSignal.timeout(callTimeoutMs));
    } catch (error) {
      throw new KclError('config', `could not ${what} ${name} (is it unlocked?): ${describe(error)}`, { cause: error });
    }
  };
  return {
    read: async (): Promise<string> => {
      const token = await call('read the token from', (entry, signal) => entry.getPassword(signal));
      if (token === null) throw new KclError('config', `${name} holds no token for ${account}: rerun kube-csr-login setup`);
      return token;
    },
    write: (token: string) => call('store the token in', (entry, signal) => entry.setPassword(token, signal)),
    remove: () => call('remove the token from', (entry, signal) => entry.deleteCredential(signal)),
  };
}
