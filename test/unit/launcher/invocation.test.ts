// How the program starts itself again (background renewals) and what setup writes as the exec
// stanza's command, for each way it can be installed and started.
import { describe, expect, test } from '@jest/globals';
import { type InvocationFacts, invocation } from '../../../src/cli/invocation.js';

const npmEntry = '/usr/local/lib/node_modules/kube-csr-login/bin/kube-csr-login.cjs';
const krewSea = '/home/jean/.krew/store/csr-login/v0.1.0/bin/kube-csr-login-sea';
const base: InvocationFacts = {
  entryScript: npmEntry,
  execPath: '/usr/bin/node',
  singleExecutable: false,
  launcher: undefined,
  platform: 'linux',
};

describe('invocation', () => {
  test.each<[string, Partial<InvocationFacts>, { self: string[]; stanza: string[] }]>([
    [
      'Node ran the entry directly: the sh launcher beside it',
      {},
      { self: ['/usr/bin/node', npmEntry], stanza: [npmEntry.replace(/\.cjs$/, '')] },
    ],
    [
      'through the launcher npm linked: the link, not its target',
      { launcher: '/usr/local/bin/kube-csr-login' },
      { self: ['/usr/bin/node', npmEntry], stanza: ['/usr/local/bin/kube-csr-login'] },
    ],
    [
      "the single executable through krew's link: the link, which survives an upgrade",
      { entryScript: krewSea, execPath: krewSea, singleExecutable: true, launcher: '/home/jean/.krew/bin/kubectl-csr_login' },
      { self: [krewSea], stanza: ['/home/jean/.krew/bin/kubectl-csr_login'] },
    ],
    [
      'the single executable run by itself: itself, with no script argument',
      { entryScript: krewSea, execPath: krewSea, singleExecutable: true },
      { self: [krewSea], stanza: [krewSea] },
    ],
    [
      'the launcher started by a relative path ($PWD/$0): cleaned, as kubectl matches its allowlist',
      { launcher: '/home/jean/src/kcl/./bin/../bin//kube-csr-login' },
      { self: ['/usr/bin/node', npmEntry], stanza: ['/home/jean/src/kcl/bin/kube-csr-login'] },
    ],
    [
      'a relative launcher name is not trusted',
      { launcher: 'bin/kube-csr-login' },
      { self: ['/usr/bin/node', npmEntry], stanza: [npmEntry.replace(/\.cjs$/, '')] },
    ],
    [
      'Windows: Node and the entry (no sh)',
      { platform: 'win32', entryScript: 'C:\\kcl\\bin\\kube-csr-login.cjs', execPath: 'C:\\node\\node.exe', launcher: '/ignored' },
      {
        self: ['C:\\node\\node.exe', 'C:\\kcl\\bin\\kube-csr-login.cjs'],
        stanza: ['C:\\node\\node.exe', 'C:\\kcl\\bin\\kube-csr-login.cjs'],
      },
    ],
  ])('%s', (_name, facts, want) => {
    const got = invocation({ ...base, ...facts });
    expect([got.self.command, ...got.self.args]).toEqual(want.self);
    expect([got.stanza.command, ...got.stanza.args]).toEqual(want.stanza);
  });
});

describe('the Node an exec stanza records (KUBE_CSR_LOGIN_NODE, so that no PATH decides it)', () => {
  test.each<[string, Partial<InvocationFacts>, string | undefined]>([
    [
      'through the launcher npm linked: the Node that ran setup',
      { launcher: '/usr/local/bin/kube-csr-login', execPath: '/opt/node24/bin/node' },
      '/opt/node24/bin/node',
    ],
    ['Node ran the entry directly: the same', { execPath: '/opt/node24/bin/node' }, '/opt/node24/bin/node'],
    [
      'a Node named in KUBE_CSR_LOGIN_NODE: as named (a stable link, where execPath is the versioned target)',
      {
        launcher: '/opt/homebrew/bin/kube-csr-login',
        execPath: '/opt/homebrew/Cellar/node/24.1.0/bin/node',
        nodeVariable: '/opt/homebrew/opt/node/bin/node',
      },
      '/opt/homebrew/opt/node/bin/node',
    ],
    [
      'a relative KUBE_CSR_LOGIN_NODE is not recorded: the Node that ran',
      { execPath: '/opt/node24/bin/node', nodeVariable: 'node' },
      '/opt/node24/bin/node',
    ],
    [
      'the single executable: none, the launcher finds it beside itself',
      { entryScript: krewSea, execPath: krewSea, singleExecutable: true, launcher: '/home/jean/.krew/bin/kubectl-csr_login' },
      undefined,
    ],
    [
      'Windows: none, the stanza runs Node itself',
      { platform: 'win32', entryScript: 'C:\\kcl\\bin\\kube-csr-login.cjs', execPath: 'C:\\node\\node.exe' },
      undefined,
    ],
  ])('%s', (_name, facts, node) => {
    expect(invocation({ ...base, ...facts }).stanza.node).toBe(node);
  });
});
