// A long-term token read from a file (setup --token-file, a profile's file storage) and the check
// every token source shares: one bearer token, nothing else.
import { KclError } from '../errors.js';
import { inputBounds, readNamedFile } from '../util/bounded-read.js';

export async function readToken(file: string): Promise<string> {
  const what = `the token file ${file}`;
  return checkToken((await readNamedFile(file, inputBounds.token, what)).text, what);
}

/** A bearer token is visible ASCII (RFC 6750); anything else cannot go in a header. */
export function checkToken(text: string, source: string): string {
  const token = text.trim();
  if (!/^[\x21-\x7e]+$/.test(token)) throw new KclError('config', `${source} does not hold a single token`);
  return token;
}
