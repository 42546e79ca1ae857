// After setup stored the token, the file it read it from (bundle, --token-file) is a plain-text copy
// the product handed out. Setup says so and removes it when told (--remove-token-copy) or when the
// person at the terminal agrees; a copy left in place is recorded in the profile first, so `status`
// keeps warning while the file still holds the token (even when setup dies before it could remove it).
import { promises as fs } from 'node:fs';
import type { PlainTextCopy, TokenSource } from '../token/token-source.js';
import { type TokenInputFile, recordOf, removeTokenInput } from './token-copy.js';

export interface CopyDeps {
  /** Asks a yes/no question at the terminal; false without asking when there is none. */
  confirm: (question: string) => Promise<boolean>;
  progress: (message: string) => void;
  /** Writes the profile with these plain-text copies recorded. */
  save: (copies: PlainTextCopy[]) => Promise<void>;
}

export interface CopyRequest {
  input: TokenInputFile | undefined;
  /** --remove-token-copy (true) or --no-remove-token-copy (false); undefined: ask. */
  remove: boolean | undefined;
  token: string;
  store: TokenSource;
  /** The profile's own token files: a token read from one of them is no copy. */
  ownFiles: string[];
  /** Copies recorded by an earlier setup; status drops those that no longer hold their token. */
  earlier: PlainTextCopy[];
}

const maxRecorded = 8;

/** Returns the file that still holds the token in plain text, if setup leaves one. */
export async function settleTokenCopy(deps: CopyDeps, request: CopyRequest): Promise<string | undefined> {
  const { input } = request;
  const others = request.earlier.filter((copy) => copy.file !== input?.file).slice(-(maxRecorded - 1));
  if (!input || (await isOwnFile(input, request.ownFiles))) {
    await deps.save(others);
    return undefined;
  }
  const what = describeCopy(input.file, request.store);
  const remove = request.remove ?? (await deps.confirm(`${what}. Remove it now? [y/N] `));
  await deps.save([...others, recordOf(input, request.token)]);
  if (!remove) {
    deps.progress(`warning: ${what}: delete it (or run setup again with --remove-token-copy); status warns while it does`);
    return input.file;
  }
  const why = await removeTokenInput(input);
  if (why !== undefined) {
    deps.progress(`warning: ${what}, and it was not removed: ${why}`);
    return input.file;
  }
  await deps.save(others);
  deps.progress(`removed ${input.file} (unlinked: copies in backups, snapshots or synced folders are not reached)`);
  return undefined;
}

function describeCopy(file: string, store: TokenSource): string {
  if (store.storage === 'file') return `${file} holds a second plain-text copy of the token (the profile keeps its own in ${store.file})`;
  const where = store.storage === 'keyring' ? 'now kept in the OS keyring' : 'now kept encrypted with your passphrase';
  return `${file} still holds the token in plain text (${where})`;
}

async function isOwnFile(input: TokenInputFile, ownFiles: string[]): Promise<boolean> {
  if (ownFiles.includes(input.file)) return true;
  const stats = await Promise.all(ownFiles.map((file) => fs.stat(file).catch(() => undefined)));
  return stats.some((stat) => stat !== undefined && stat.dev === input.dev && stat.ino === input.ino);
}
