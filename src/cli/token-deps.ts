// The token store's deps for the commands a person runs at a terminal (setup, login, logout):
// passphrases are asked on the terminal (stdin, else /dev/tty). A passphrase typed for setup is
// kept in memory for that process only, so setup's first certificate does not ask again.
import { KclError } from '../errors.js';
import type { TokenDeps } from '../token/token-store.js';
import type { Edge } from './edge.js';
import { askSecret } from './prompt.js';

const minimumLength = 8;

export function terminalTokenDeps(edge: Edge, profile: string): TokenDeps {
  let typed: string | undefined;
  const ask = (prompt: string) => askSecret(prompt, 'stdin-or-tty', edge.stdinIsTerminal);
  return {
    platform: edge.platform,
    askPassphrase: async (prompt) => typed ?? ask(prompt),
    newPassphrase: async () => {
      const first = await ask(
        `kube-csr-login: new passphrase for the token of profile "${profile}" (at least ${minimumLength} characters): `,
      );
      if (first === '') throw new KclError('passphraseRequired', 'no passphrase given: nothing was written');
      if ([...first].length < minimumLength)
        throw new KclError('usage', `the passphrase is shorter than ${minimumLength} characters: nothing was written`);
      if ((await ask('kube-csr-login: the same passphrase again: ')) !== first)
        throw new KclError('usage', 'the two passphrases differ: nothing was written');
      typed = first;
      return first;
    },
    warn: (message) => edge.stderr(`${message}\n`),
    sleep: (ms) => edge.sleep(ms),
  };
}
