// What kubectl 1.35 and 1.36+ do with our exec command under a given kuberc, as read from
// k8s.io/kubectl pkg/kuberc and client-go's exec allowlist (v0.35.4, v0.36.3, v0.37.2). The e2e suite
// checks the same predictions against the real kubectl binaries.
import { describe, expect, test } from '@jest/globals';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accessLine, entryLines, statusText } from '../../../src/kuberc/advice.js';
import type { KubercLocation } from '../../../src/kuberc/source.js';
import { type Outcome, kubectlAccess } from '../../../src/kuberc/verdict.js';
import { tempDir } from '../../helpers/temp-dirs.js';

const head = 'apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n';

async function world() {
  const dir = await tempDir('kcl-verdict');
  const bin = join(dir, 'bin');
  await mkdir(bin);
  const command = join(bin, 'kube-csr-login');
  await writeFile(command, '#!/bin/sh\n', { mode: 0o755 });
  const kuberc = join(dir, 'kuberc');
  const look = { platform: 'linux' as const, path: `/usr/bin:${bin}`, pathExt: undefined, cwd: dir };
  const judge = async (text: string | undefined, options: { explicit?: boolean; exec?: string; path?: string } = {}) => {
    if (text !== undefined) await writeFile(kuberc, text);
    const location: KubercLocation = { kind: 'file', file: kuberc, explicit: options.explicit ?? false };
    return kubectlAccess(location, options.exec ?? command, { ...look, path: options.path ?? look.path });
  };
  const outcomes = async (...args: Parameters<typeof judge>): Promise<[Outcome, Outcome]> => {
    const { verdicts } = await judge(...args);
    return [verdicts[0]?.outcome ?? 'unknown', verdicts[1]?.outcome ?? 'unknown'];
  };
  return { dir, bin, command, kuberc, judge, outcomes };
}

describe('the file and its documents', () => {
  test('no kuberc: allowed; KUBERC naming a missing file: every kubectl command fails', async () => {
    const w = await world();
    expect(await w.outcomes(undefined)).toEqual(['allowed', 'allowed']);
    expect(await w.outcomes(undefined, { explicit: true })).toEqual(['kuberc-error', 'kuberc-error']);
  });

  test('kuberc off: allowed whatever the file says', async () => {
    const w = await world();
    await writeFile(w.kuberc, `${head}credentialPluginPolicy: DenyAll\n`);
    const access = await kubectlAccess({ kind: 'off', reason: 'KUBERC=off' }, w.command, {
      platform: 'linux',
      path: '',
      pathExt: undefined,
      cwd: w.dir,
    });
    expect(access.verdicts.map((v) => v.outcome)).toEqual(['allowed', 'allowed']);
    expect(access.kuberc).toBeUndefined();
  });

  test('no usable Preference: the default file is ignored with a warning, an explicit one fails every command', async () => {
    const w = await world();
    for (const text of [
      '# only a comment\n',
      'apiVersion: v1\nkind: Config\n',
      `${head}credentialPluginPolicy: [DenyAll]\n`,
      `${head}credentialPluginPolicy: DenyAll\naliases: {}\n`,
      `${head}credentialPluginPolicy: DenyAll\n  bad: indentation\n`,
      `${head}credentialPluginPolicy: DenyAll\n--- not a separator\n`,
      'apiVersion: kubectl.config.k8s.io/v1\nkind: Preference\ncredentialPluginPolicy: DenyAll\n',
    ]) {
      expect([text, await w.outcomes(text)]).toEqual([text, ['allowed', 'allowed']]);
      expect([text, await w.outcomes(text, { explicit: true })]).toEqual([text, ['kuberc-error', 'kuberc-error']]);
      expect((await w.judge(text)).verdicts[0]?.warning).toMatch(/no preferences/);
    }
  });

  test('an empty file or only separators: no preferences, no warning', async () => {
    const w = await world();
    for (const text of ['', '\n\n', '---\n---\n']) {
      const access = await w.judge(text, { explicit: true });
      expect(access.verdicts.map((v) => [v.outcome, v.warning])).toEqual([
        ['allowed', undefined],
        ['allowed', undefined],
      ]);
    }
  });

  test('the first Preference document is used; a bad separator after it is never reached', async () => {
    const w = await world();
    const text = `apiVersion: v1\nkind: Config\n---\n${head}credentialPluginPolicy: DenyAll\n---\n${head}\n--- junk\n`;
    expect(await w.outcomes(text, { explicit: true })).toEqual(['denied', 'denied']);
  });

  test('YAML 1.1: `yes` is a boolean, so not a policy string', async () => {
    const w = await world();
    expect(await w.outcomes(`${head}credentialPluginPolicy: yes\n`, { explicit: true })).toEqual(['kuberc-error', 'kuberc-error']);
  });

  test('v1alpha1 has no plugin policy: the field draws a warning and everything runs', async () => {
    const w = await world();
    const access = await w.judge('apiVersion: kubectl.config.k8s.io/v1alpha1\nkind: Preference\ncredentialPluginPolicy: DenyAll\n');
    expect(access.verdicts.map((v) => v.outcome)).toEqual(['allowed', 'allowed']);
    expect(access.verdicts[0]?.reason).toMatch(/v1alpha1, which has no credential plugin policy/);
    expect(access.verdicts[0]?.warning).toMatch(/credentialPluginPolicy/);
  });
});

describe('the policy', () => {
  test.each<[string, string, [Outcome, Outcome]]>([
    ['not set', '', ['allowed', 'allowed']],
    ['AllowAll', 'credentialPluginPolicy: AllowAll\n', ['allowed', 'allowed']],
    ['DenyAll', 'credentialPluginPolicy: DenyAll\n', ['denied', 'denied']],
    ['lowercase', 'credentialPluginPolicy: denyall\n', ['kuberc-error', 'kuberc-error']],
    ['a list without Allowlist', 'credentialPluginPolicy: DenyAll\ncredentialPluginAllowlist: []\n', ['kuberc-error', 'kuberc-error']],
    ['a list and no policy', 'credentialPluginAllowlist:\n- name: /bin/true\n', ['kuberc-error', 'kuberc-error']],
    ['Allowlist without a list', 'credentialPluginPolicy: Allowlist\n', ['kuberc-error', 'kuberc-error']],
    ['Allowlist with a null list', 'credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n', ['kuberc-error', 'kuberc-error']],
    ['Allowlist, empty list', 'credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: []\n', ['kuberc-error', 'kuberc-error']],
    [
      'Allowlist, an empty entry',
      'credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- name: /bin/true\n- {}\n',
      ['kuberc-error', 'kuberc-error'],
    ],
    ['Allowlist without us', 'credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- name: /bin/true\n', ['denied', 'denied']],
    ['a bad alias', 'aliases:\n- name: get-n\n  command: get\n', ['kuberc-error', 'kuberc-error']],
  ])('%s', async (_name, body, expected) => {
    const w = await world();
    expect(await w.outcomes(`${head}${body}`)).toEqual(expected);
  });
});

describe('the allowlist entries', () => {
  const allowlist = (...entries: string[]) =>
    `${head}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n${entries.map((e) => `- ${e}\n`).join('')}`;

  test('name: the absolute path works for every kubectl; command: only from 1.36, and breaks 1.35', async () => {
    const w = await world();
    expect(await w.outcomes(allowlist(`name: ${w.command}`))).toEqual(['allowed', 'allowed']);
    expect(await w.outcomes(allowlist(`command: ${w.command}`))).toEqual(['kuberc-error', 'allowed']);
    const access = await w.judge(allowlist(`command: ${w.command}`));
    expect(access.verdicts[0]?.reason).toMatch(/entry #1 is empty \(kubectl 1\.35 reads `name:`, not `command:`\)/);
    expect(access.verdicts[0]?.warning).toMatch(/credentialPluginAllowlist\[0\]\.command/);
    expect(await w.outcomes(allowlist(`{name: ${w.command}, command: ${w.command}}`))).toEqual(['allowed', 'allowed']);
  });

  test('name and command set to different values: 1.35 reads name; 1.36+ cannot use the document', async () => {
    const w = await world();
    const text = allowlist(`{name: ${w.command}, command: /bin/true}`);
    expect(await w.outcomes(text)).toEqual(['allowed', 'allowed']); // 1.36+: the default kuberc is ignored
    expect(await w.outcomes(text, { explicit: true })).toEqual(['allowed', 'kuberc-error']);
    expect(await w.outcomes(allowlist(`{name: /bin/true, command: ${w.command}}`))).toEqual(['denied', 'allowed']);
  });

  test('a bare name works only when PATH finds the same file', async () => {
    const w = await world();
    expect(await w.outcomes(allowlist('name: kube-csr-login'))).toEqual(['allowed', 'allowed']);
    expect(await w.outcomes(allowlist('name: kube-csr-login'), { path: '/usr/bin' })).toEqual(['denied', 'denied']);
    expect(await w.outcomes(allowlist('name: kubectl-csr_login'))).toEqual(['denied', 'denied']);
  });

  test('no symlink resolution: a link and its target are different entries', async () => {
    const w = await world();
    const link = join(w.dir, 'kubectl-csr_login');
    await symlink(w.command, link);
    expect(await w.outcomes(allowlist(`name: ${w.command}`), { exec: link })).toEqual(['denied', 'denied']);
    expect(await w.outcomes(allowlist(`name: ${link}`), { exec: link })).toEqual(['allowed', 'allowed']);
    expect(await w.outcomes(allowlist(`name: ${link}`))).toEqual(['denied', 'denied']);
  });

  test('the command is cleaned; entries must already be clean; no ~', async () => {
    const w = await world();
    expect(await w.outcomes(allowlist(`name: ${w.command}`), { exec: `${w.dir}/./bin//kube-csr-login` })).toEqual(['allowed', 'allowed']);
    expect(await w.outcomes(allowlist(`name: ${w.dir}/./bin/kube-csr-login`))).toEqual(['kuberc-error', 'kuberc-error']);
    expect(await w.outcomes(allowlist('name: ~/bin/kube-csr-login'), { exec: w.command })).toEqual(['denied', 'denied']);
  });

  test('a missing command is allowed only verbatim (kubectl then fails to start it)', async () => {
    const w = await world();
    const gone = join(w.dir, 'gone', 'kube-csr-login');
    expect(await w.outcomes(allowlist(`name: ${gone}`), { exec: gone })).toEqual(['allowed', 'allowed']);
    const access = await w.judge(allowlist('name: kube-csr-login'), { exec: gone });
    expect(access.verdicts[0]?.reason).toMatch(/cannot resolve the plugin command/);
  });
});

describe('what setup and status say', () => {
  test('denied: the reason on one line, then the entry in both spellings', async () => {
    const w = await world();
    const access = await w.judge(`${head}credentialPluginPolicy: DenyAll\n`);
    expect(accessLine(access)).toBe(`kubectl refuses to run kube-csr-login: ${w.kuberc} sets credentialPluginPolicy DenyAll`);
    expect(entryLines(access)).toEqual([
      `To allow it, put this in ${w.kuberc} (or run kube-csr-login setup again with --allow-in-kuberc):`,
      '  credentialPluginPolicy: Allowlist',
      '  credentialPluginAllowlist:',
      `  - name: ${w.command}`,
      `Every kubectl from 1.35 reads \`name:\`; 1.36 and later also read \`command: ${w.command}\`, which 1.35 does not.`,
    ]);
    expect(statusText(access)).toContain(`"- name: ${w.command}"`);
  });

  test('lines that disagree are named', async () => {
    const w = await world();
    const access = await w.judge(`${head}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- command: ${w.command}\n`);
    expect(accessLine(access)).toMatch(/^kubectl 1\.35 fails on every command: .*; kubectl 1\.36 and later runs kube-csr-login: /);
  });
});
