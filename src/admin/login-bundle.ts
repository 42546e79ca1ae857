// The login bundle `admin add-user --bundle FILE` hands to a user: a kubeconfig holding the cluster
// (server + CA), the user's token and a context, in the shape of examples/login-bundle.yaml, which
// `setup --bundle` reads. Written atomically with mode 0600; the token goes nowhere else.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { KclError, describe } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';

export interface BundleContent {
  clusterName: string;
  server: string;
  certificateAuthorityPem: string;
  user: string;
  token: string;
}

function loginBundleYaml(content: BundleContent): string {
  const context = `${content.user}@${content.clusterName}`;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: content.clusterName,
        cluster: { server: content.server, 'certificate-authority-data': Buffer.from(content.certificateAuthorityPem).toString('base64') },
      },
    ],
    users: [{ name: content.user, user: { token: content.token } }],
    contexts: [{ name: context, context: { cluster: content.clusterName, user: content.user } }],
    'current-context': context,
  };
  const header = `# The login bundle of ${content.user} from kube-csr-login admin add-user. It holds a token: hand it over
# privately. The user runs: kube-csr-login setup --bundle FILE
`;
  return header + stringify(doc, { lineWidth: 0 });
}

export async function writeLoginBundle(file: string, content: BundleContent): Promise<void> {
  try {
    await writeFileAtomic(file, loginBundleYaml(content));
  } catch (error) {
    throw new KclError('config', `could not write the login bundle ${file}: ${describe(error)}`);
  }
}

/** Checked before anything is applied, so a typo in the path does not leave half a run behind. */
export async function checkBundleTarget(file: string): Promise<void> {
  const dir = path.dirname(file);
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new KclError('config', `cannot write the login bundle ${file}: the directory ${dir} is missing or not writable`);
  }
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new KclError('config', `cannot write the login bundle ${file}: it is a directory`);
}
