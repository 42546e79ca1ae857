// Applies an edit across a kubeconfig file list: each named entry is changed in the first file
// defining it, new entries go to the first file. Each touched file is locked, rewritten atomically
// (0600), and left byte-identical when nothing changed; a missing file is created only to hold something.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Document } from 'yaml';
import { KclError, describe } from '../errors.js';
import { inputBounds } from '../util/bounded-read.js';
import { readTextIfExists, writeFileAtomic } from '../util/files.js';
import { findEntry, parseKubeconfig, type NamedKind } from './document.js';
import { withKubeconfigLock, type LockOptions } from './lock.js';

interface LoadedFile {
  file: string;
  doc: Document;
  original: string | undefined;
}

export interface KubeconfigSet {
  files: LoadedFile[];
  /** The file holding `<kind>[name]`, else the first file. */
  owner(kind: NamedKind, name: string): LoadedFile;
  /** The file with current-context set, else the first file. */
  currentContextOwner(): LoadedFile;
}

export async function editKubeconfigs<T>(files: string[], edit: (set: KubeconfigSet) => T, lock: LockOptions = {}): Promise<T> {
  return lockAll(files, 0, lock, async () => {
    const loaded: LoadedFile[] = [];
    for (const file of files) {
      const original = await readTextIfExists(file, inputBounds.kubeconfig);
      loaded.push({ file, doc: parseKubeconfig(original, file), original });
    }
    const first = loaded[0];
    if (first === undefined) throw new Error('no kubeconfig file');
    const set: KubeconfigSet = {
      files: loaded,
      owner: (kind, name) => loaded.find((f) => findEntry(f.doc, kind, name) !== undefined) ?? first,
      currentContextOwner: () =>
        loaded.find((f) => {
          const value: unknown = f.doc.get('current-context');
          return typeof value === 'string' && value !== '';
        }) ?? first,
    };
    const blank = parseKubeconfig(undefined, '').toString();
    const result = edit(set);
    const texts = loaded.map(serialize); // all of them before writing any: a failure leaves every file as it was
    for (const [index, f] of loaded.entries()) {
      const text = texts[index];
      if (text === undefined || text === (f.original ?? blank)) continue;
      await mkdir(dirname(f.file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(f.file, text, 0o600);
    }
    return result;
  });
}

async function lockAll<T>(files: string[], index: number, lock: LockOptions, fn: () => Promise<T>): Promise<T> {
  const file = files[index];
  if (file === undefined) return fn();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  return withKubeconfigLock(file, () => lockAll(files, index + 1, lock, fn), lock);
}

function serialize(f: LoadedFile): string {
  try {
    return f.doc.toString();
  } catch (error) {
    // e.g. an alias whose anchor was in an entry this edit replaced or removed
    throw new KclError('config', `${f.file}: cannot write it back: ${describe(error)}`);
  }
}
