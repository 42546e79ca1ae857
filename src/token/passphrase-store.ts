// The token encrypted at rest (sealed-token.ts). Reading it asks for the passphrase on the terminal,
// three tries with a growing pause; it never comes from argv, env or a file, and is never written
// anywhere. Without a terminal the read fails at once with what to do (a background renewal must
// never hang waiting for a person).
import { KclError, describe } from '../errors.js';
import { errorCode, readTextIfExists, removeIfExists, writeFileAtomic } from '../util/files.js';
import { type ScryptParams, WrongPassphraseError, openToken, sealToken } from './sealed-token.js';

export interface PassphraseDeps {
  /** Asks on the terminal without echo; absent when nobody can answer. */
  askPassphrase?: (prompt: string) => Promise<string>;
  /** Asks for a new passphrase (typed twice) at setup. */
  newPassphrase?: () => Promise<string>;
  warn: (message: string) => void;
  sleep: (ms: number) => Promise<void>;
  /** Key derivation cost of new files (tests lower it); stored in the file, so reads need nothing. */
  scrypt?: ScryptParams;
}

const passphraseTries = 3;

export function passphraseStore(file: string, profile: string, deps: PassphraseDeps) {
  return {
    read: async (): Promise<string> => {
      const sealed = await readSealed(file);
      const ask = deps.askPassphrase;
      if (!ask) {
        throw new KclError(
          'passphraseRequired',
          `the token of profile "${profile}" is encrypted and no terminal is there to ask its passphrase: run any kubectl command in a terminal, or kube-csr-login login --profile ${profile}`,
        );
      }
      for (let attempt = 1; attempt <= passphraseTries; attempt += 1) {
        const passphrase = await ask(`kube-csr-login: passphrase for the token of profile "${profile}" (empty to skip): `);
        if (passphrase === '') throw new KclError('passphraseRequired', `no passphrase given for the token of profile "${profile}"`);
        try {
          return await openToken(sealed, passphrase);
        } catch (error) {
          if (!(error instanceof WrongPassphraseError)) {
            throw new KclError('config', `${file} is not a usable encrypted token (${describe(error)}): rerun kube-csr-login setup`);
          }
        }
        deps.warn('kube-csr-login: wrong passphrase');
        if (attempt < passphraseTries) await deps.sleep(1000 * attempt);
      }
      throw new KclError('wrongPassphrase', `wrong passphrase for the token of profile "${profile}" (${passphraseTries} tries)`);
    },
    write: async (token: string): Promise<void> => {
      if (!deps.newPassphrase)
        throw new KclError('passphraseRequired', '--token-storage passphrase needs a terminal to type the new passphrase');
      const passphrase = await deps.newPassphrase();
      await writeFileAtomic(file, await sealToken(token, passphrase, deps.scrypt));
    },
    remove: () => removeIfExists(file),
  };
}

async function readSealed(file: string): Promise<string> {
  let text: string | undefined;
  try {
    text = await readTextIfExists(file);
  } catch (error) {
    throw new KclError('config', `cannot read the encrypted token ${file}: ${errorCode(error) ?? 'unreadable'}`);
  }
  if (text === undefined) throw new KclError('config', `the encrypted token ${file} is missing: rerun kube-csr-login setup`);
  return text;
}
