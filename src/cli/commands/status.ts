// `kube-csr-login status [--profile NAME] [-o json]`: each profile's cluster, context, identity,
// cached certificate, renewal point, back-off and the last serving-CA check. Informational: reads
// local files only, never the network (except --check-ca, which compares each profile's CA with the
// one the cluster publishes first), and exits 0 whatever state the certificates are in.
import { KclError } from '../../errors.js';
import { collectStatus } from '../../status/collect-status.js';
import { renderStatusJson, renderStatusText } from '../../status/render-status.js';
import { type Edge, dirs } from '../edge.js';
import { parseFlags } from '../parse-values.js';
import { profileCacheFiles } from '../../cache/layout.js';
import type { Connection } from '../../kube/connection.js';
import { createApiClient } from '../../kube/http.js';
import { proxyEnvironment } from '../../kube/proxy-env.js';
import { type Profile, readProfile, storedProfileNames, validateProfileName } from '../../profile/profile.js';
import { checkProfileCa } from '../../trustbundle/check-profile.js';
import { readProfileToken } from './refresh-ca.js';

export async function run(args: string[], edge: Edge): Promise<void> {
  const { values } = parseFlags({
    args,
    options: { profile: { type: 'string' }, output: { type: 'string', short: 'o' }, 'check-ca': { type: 'boolean' } },
  });
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new KclError('usage', `unknown output format "${output.slice(0, 20)}": use -o json`);
  const { cacheDir, configDir } = await dirs(edge);
  if (values['check-ca']) await checkCas(edge, configDir, cacheDir, values.profile);
  const at = edge.now(); // one instant for the whole report
  const statuses = await collectStatus(
    { now: () => at, cacheDir, configDir },
    values.profile === undefined ? {} : { profile: values.profile },
  );
  edge.stdout(output === 'json' ? renderStatusJson(statuses) : renderStatusText(statuses, at));
}

async function checkCas(edge: Edge, configDir: string, cacheDir: string, only: string | undefined): Promise<void> {
  const names = only === undefined ? await storedProfileNames(configDir) : [validateProfileName(only)];
  const proxyEnv = proxyEnvironment(edge.env);
  const deps = {
    now: edge.now,
    readToken: (name: string, profile: Profile) => readProfileToken(edge, name, profile),
    openTokenApi: (connection: Connection, token: string) => createApiClient(connection, token, proxyEnv),
  };
  for (const name of names) {
    const profile = await readProfile(configDir, name).catch(() => undefined);
    if (profile) await checkProfileCa(deps, name, profile, profileCacheFiles(cacheDir, name).caCheck);
  }
}
