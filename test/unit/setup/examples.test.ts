// examples/ stays true to the code: the user manifests are the dry run's output, the sample bundle
// is what setup reads, the sample kubeconfig's exec user is what setup writes.
import { describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { manifestsYaml } from '../../../src/admin/dry-run.js';
import { userManifests } from '../../../src/admin/manifests.js';
import { parseCredentialFlags } from '../../../src/cli/commands/get-credential.js';
import { installHint } from '../../../src/cli/commands/setup.js';
import { resolveSettings } from '../../../src/credential/settings.js';
import { execUserFields } from '../../../src/kubeconfig/setup-entries.js';
import { parseLoginBundle } from '../../../src/setup/login-input.js';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples');
const read = (name: string) => readFile(path.join(examples, name), 'utf8');

describe('examples', () => {
  test('user-jean.doe.yaml is admin add-user --dry-run -o yaml', async () => {
    const text = await read('user-jean.doe.yaml');
    expect(text.replace(/^#.*\n/gm, '')).toBe(
      manifestsYaml(userManifests({ name: 'jean.doe', groups: ['devs'], usersNamespace: 'users' })),
    );
  });

  test('login-bundle.yaml is a bundle setup reads', async () => {
    expect(parseLoginBundle(await read('login-bundle.yaml'), 'login-bundle.yaml')).toMatchObject({
      server: 'https://dev.example:6443',
      clusterName: 'dev',
    });
  });

  test("kubeconfig-exec.yaml's user is the one setup writes", async () => {
    const config = parse(await read('kubeconfig-exec.yaml'));
    const { command, env } = config.users[0].user.exec;
    expect(env).toEqual([{ name: 'KUBE_CSR_LOGIN_NODE', value: expect.stringMatching(/^\/.*\/node$/) }]);
    expect(config.users[0].user).toEqual(execUserFields({ command, profile: 'default', installHint, node: env[0].value }));
  });

  test("kubeconfig-exec.yaml's flags-only user names its server and CA, which are what the token goes to", async () => {
    const config = parse(await read('kubeconfig-exec.yaml'));
    const [command, ...args] = config.users[1].user.exec.args;
    expect(command).toBe('get-credential');
    const { flags } = parseCredentialFlags(args);
    const kubectlElsewhere = {
      apiVersion: 'client.authentication.k8s.io/v1' as const,
      interactive: false,
      cluster: { server: 'https://elsewhere.example' },
    };
    expect(resolveSettings(flags, undefined, kubectlElsewhere).connection).toEqual({
      server: 'https://dev.example:6443',
      certificateAuthorityFile: '/home/jean/.config/kube-csr-login/dev.ca.crt',
    });
  });
});
