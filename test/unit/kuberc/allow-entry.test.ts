// setup --allow-in-kuberc's edit: the entry is added to the document kubectl uses, everything else in
// the file is kept (comments, other documents, mode, a link to the file); DenyAll becomes Allowlist and
// says so; a file kubectl would reject is refused and left byte for byte; a check alone writes nothing.
import { describe, expect, test } from '@jest/globals';
import { lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isKclError } from '../../../src/errors.js';
import { allowInKuberc } from '../../../src/kuberc/allow-entry.js';
import type { KubercLocation } from '../../../src/kuberc/source.js';
import { tempDir } from '../../helpers/temp-dirs.js';

const head = 'apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n';

async function world(text?: string, mode = 0o644) {
  const dir = await tempDir('kcl-allow');
  await mkdir(join(dir, 'bin'));
  const command = join(dir, 'bin', 'kube-csr-login');
  await writeFile(command, '#!/bin/sh\n', { mode: 0o755 });
  const file = join(dir, 'kuberc');
  if (text !== undefined) await writeFile(file, text, { mode });
  const location: KubercLocation = { kind: 'file', file, explicit: false };
  const look = { platform: 'linux' as const, path: '/usr/bin', pathExt: undefined, cwd: dir };
  return {
    dir,
    file,
    command,
    allow: (write = true, at: KubercLocation = location) =>
      allowInKuberc(at, command, look, write ? { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) } : undefined),
  };
}

describe('adding the entry', () => {
  test('DenyAll becomes Allowlist with our entry; comments, aliases and the other documents are kept', async () => {
    const other = '# another tool\napiVersion: v1\nkind: Config\n';
    const prefs = `# my preferences\n${head}# no plugins, please\ncredentialPluginPolicy: DenyAll # strict\naliases:\n- name: getn\n  command: get\n  options:\n  - name: output\n    default: wide\n`;
    const w = await world(`${other}---\n${prefs}---\n# trailing\n`, 0o640);
    const outcome = await w.allow();
    expect(outcome.changes).toEqual([
      'credentialPluginPolicy DenyAll -> Allowlist (every other credential plugin is still refused)',
      `credentialPluginAllowlist += name: ${w.command}`,
    ]);
    expect(outcome.access.verdicts.map((v) => v.outcome)).toEqual(['allowed', 'allowed']);
    expect(await readFile(w.file, 'utf8')).toBe(
      `${other}---\n# my preferences\n${head}# no plugins, please\ncredentialPluginPolicy: Allowlist # strict\naliases:\n- name: getn\n  command: get\n  options:\n  - name: output\n    default: wide\ncredentialPluginAllowlist:\n- name: ${w.command}\n---\n# trailing\n`,
    );
    expect((await stat(w.file)).mode & 0o777).toBe(0o640);
    expect((await w.allow()).changes).toEqual([]); // a second run finds it allowed
  });

  test('an Allowlist gets one more entry, after the others, in the list style of the file', async () => {
    const w = await world(`${head}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: /usr/bin/true # a comment\n`);
    expect((await w.allow()).changes).toEqual([`credentialPluginAllowlist += name: ${w.command}`]);
    expect(await readFile(w.file, 'utf8')).toBe(
      `${head}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: /usr/bin/true # a comment\n  - name: ${w.command}\n`,
    );
  });

  test('a linked kuberc is edited where it lives; the link stays', async () => {
    const w = await world(`${head}credentialPluginPolicy: DenyAll\n`);
    const link = join(w.dir, 'kuberc-link');
    await symlink(w.file, link);
    await w.allow(true, { kind: 'file', file: link, explicit: true });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(w.file);
    expect(await readFile(w.file, 'utf8')).toContain(`- name: ${w.command}`);
  });
});

describe('nothing to add', () => {
  test.each([
    ['no kuberc', undefined],
    ['no policy', head],
    ['AllowAll', `${head}credentialPluginPolicy: AllowAll\n`],
    ['already listed', `${head}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- name: KUBE_CSR_LOGIN\n`],
  ])('%s', async (_name, text) => {
    const w = await world();
    const content = text?.replace('KUBE_CSR_LOGIN', w.command);
    if (content !== undefined) await writeFile(w.file, content);
    const outcome = await w.allow();
    expect(outcome.changes).toEqual([]);
    expect(await readFile(w.file, 'utf8').catch(() => undefined)).toBe(content);
  });

  test('kuberc off', async () => {
    const w = await world(`${head}credentialPluginPolicy: DenyAll\n`);
    expect((await w.allow(true, { kind: 'off', reason: 'KUBERC=off' })).changes).toEqual([]);
  });
});

describe('refused, the file untouched', () => {
  test.each([
    ['invalid YAML, named by KUBERC', `${head}credentialPluginPolicy: [DenyAll\n`, true],
    ['a wrong kind, named by KUBERC', 'apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preferences\n', true],
    ['Allowlist with an empty list', `${head}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: []\n`, false],
    [
      'an entry kubectl 1.35 cannot read',
      `${head}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- command: /usr/bin/true\n`,
      false,
    ],
    ['a list under DenyAll', `${head}credentialPluginPolicy: DenyAll\ncredentialPluginAllowlist: [{name: /usr/bin/true}]\n`, false],
  ])('%s', async (_name, text, explicit) => {
    const w = await world(text);
    const at: KubercLocation = { kind: 'file', file: w.file, explicit };
    for (const write of [false, true]) {
      const error = await w.allow(write, at).catch((e: unknown) => e);
      expect(isKclError(error, 'config')).toBe(true);
      expect(String((error as Error).message)).toMatch(/^not editing .*kuberc: .*fix it by hand first$/);
    }
    expect(await readFile(w.file, 'utf8')).toBe(text);
    expect((await stat(`${w.file}.lock`).catch(() => undefined)) === undefined).toBe(true);
  });
});

describe('a check alone', () => {
  test('says what would change and writes nothing', async () => {
    const text = `${head}credentialPluginPolicy: DenyAll\n`;
    const w = await world(text);
    const outcome = await w.allow(false);
    expect(outcome.changes).toHaveLength(2);
    expect(outcome.access.verdicts.map((v) => v.outcome)).toEqual(['allowed', 'allowed']);
    expect(await readFile(w.file, 'utf8')).toBe(text);
  });
});
