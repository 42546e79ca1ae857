// Asks a person for a secret: the prompt is one line on stderr, the answer is read without echo
// (the terminal in raw mode, readline's echo muted) from stdin when it is a terminal (what kubectl
// attaches for an interactive exec plugin), else from /dev/tty (setup with the token piped on
// stdin). Ctrl-C or Ctrl-D answers "" (skip). The answer stays in memory only. Yes/no questions
// read an echoed answer from stdin.
import { openSync } from 'node:fs';
import { KclError } from '../errors.js';

export type SecretSource = 'stdin' | 'stdin-or-tty';

export function askSecret(prompt: string, source: SecretSource, stdinIsTerminal: boolean): Promise<string> {
  return ask(prompt, source, stdinIsTerminal, true);
}

/** A yes/no question to the person at the terminal (stdin only): "y" or "yes" is yes, anything else no. */
export async function askYesNo(question: string, stdinIsTerminal: boolean): Promise<boolean> {
  if (!stdinIsTerminal) return false;
  return /^y(es)?$/i.test((await ask(question, 'stdin', true, false)).trim());
}

async function ask(prompt: string, source: SecretSource, stdinIsTerminal: boolean, silent: boolean): Promise<string> {
  const [{ read }, tty] = await Promise.all([import('read'), import('node:tty')]);
  let input: NodeJS.ReadableStream & { destroy?: () => void } = process.stdin;
  let own = false;
  if (!stdinIsTerminal) {
    let fd: number | undefined;
    try {
      if (source === 'stdin-or-tty') fd = openSync('/dev/tty', 'r');
    } catch {
      fd = undefined;
    }
    if (fd === undefined) throw new KclError('passphraseRequired', 'a passphrase is needed and there is no terminal to type it');
    input = new tty.ReadStream(fd);
    own = true;
  }
  try {
    return await read({ prompt, silent, replace: '', input, output: process.stderr, terminal: true });
  } catch {
    return ''; // canceled (Ctrl-C) or input closed
  } finally {
    if (silent) process.stderr.write('\n'); // an echoed answer ends its own line
    if (own) input.destroy?.();
    else process.stdin.pause();
  }
}
