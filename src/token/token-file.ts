// A long-term token read from a file (setup --token-file, a profile's file storage) and the check
// every token source shares: one bearer token, nothing else.
import { promises as fs } from 'node:fs';
import { KclError } from '../errors.js';
import { errorCode } from '../util/files.js';

export async function readToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new KclError('config', `cannot read the token file ${file}: ${errorCode(error) ?? 'unreadable'}`);
  }
  return checkToken(text, `the token file ${file}`);
}

/** A bearer token is visible ASCII (RFC 6750); anything else cannot go in a header. */
export function checkToken(text: string, source: string): string {
  const token = text.trim();
  if (!/^[\x21-\x7e]+$/.test(token)) throw new KclError('config', `${source} does not hold a single token`);
  return token;
}
