// The command kubectl runs for a kubeconfig user's exec stanza, read as client-go reads it: across a
// file list the first file defining the user wins, and a relative command holding a separator is
// relative to that file's directory. Read-only and forgiving: a problem is a reason, not an error.
import path from 'node:path';
import { isMap } from 'yaml';
import { describe } from '../errors.js';
import { findEntry, parseKubeconfig } from '../kubeconfig/document.js';
import { readTextIfExists } from '../util/files.js';

export type ExecCommand = { command: string } | { reason: string };

export async function execCommandOf(files: readonly string[], user: string): Promise<ExecCommand> {
  for (const file of files) {
    let entry;
    try {
      const text = await readTextIfExists(file);
      if (text === undefined) continue;
      entry = findEntry(parseKubeconfig(text, file), 'users', user);
    } catch (error) {
      return { reason: `cannot read ${file}: ${describe(error)}` };
    }
    if (entry === undefined) continue;
    const body: unknown = entry.get('user', true);
    const exec: unknown = isMap(body) ? body.get('exec', true) : undefined;
    const command: unknown = isMap(exec) ? exec.get('command') : undefined;
    if (typeof command !== 'string' || command === '') return { reason: `kubeconfig user ${user} in ${file} has no exec command` };
    const relative = !path.isAbsolute(command) && command.includes(path.sep);
    return { command: relative ? path.join(path.dirname(path.resolve(file)), command) : command };
  }
  return { reason: `no kubeconfig user ${user} in ${files.join(', ') || 'any file'}` };
}
