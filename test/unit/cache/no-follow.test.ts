// Node never creates, truncates, re-dates or appends to a file through a link planted in the cache
// in place of the clock, a deadline marker or the background log (O_NOFOLLOW), whatever slipped
// past the directory checks (a race, a directory open to others).
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { keepDeadlineMarker } from '../../../src/cache/deadline-clock.js';
import { profileCacheFiles } from '../../../src/cache/layout.js';
import { credentialDeps } from '../../../src/cli/commands/get-credential.js';
import { captureEdge } from '../../helpers/edge.js';
import { tempDir } from '../../helpers/temp-dirs.js';

const deadline = 1_900_000_000;

async function victim(dir: string): Promise<{ file: string; mtimeMs: number }> {
  const file = path.join(dir, 'victim');
  await writeFile(file, 'precious\n');
  return { file, mtimeMs: (await stat(file)).mtimeMs };
}

test.each(['clock', `deadline.${deadline}`])('a link in place of %s: refused, its target untouched', async (name) => {
  const root = await tempDir('kcl-nofollow');
  const files = profileCacheFiles(root, 'p');
  const target = await victim(root);
  await mkdir(files.dir, { mode: 0o700 });
  await symlink(target.file, path.join(files.dir, name));
  await expect(keepDeadlineMarker(files, deadline)).rejects.toThrow(/ELOOP/);
  expect(await readFile(target.file, 'utf8')).toBe('precious\n');
  expect((await stat(target.file)).mtimeMs).toBe(target.mtimeMs);
});

test('a link in place of background.log: no background renewal starts, nothing is created through it', async () => {
  const root = await tempDir('kcl-nofollow-log');
  const files = profileCacheFiles(root, 'p');
  await mkdir(files.dir, { mode: 0o700 });
  const target = path.join(root, 'created-through-the-link');
  await symlink(target, files.backgroundLog);
  const captured = captureEdge({});
  const edge = { ...captured, invocation: { ...captured.invocation, self: { command: '/bin/true', args: [] } } };
  const deps = credentialDeps(edge, { cacheDir: root, configDir: root }, 'p', [], () => undefined);
  await expect(deps.startBackgroundRenewal()).rejects.toThrow(/ELOOP/);
  await expect(stat(target)).rejects.toThrow(/ENOENT/);
});
