// `kube-csr-login login [--profile P]`: obtains a new certificate now, asking for the passphrase when
// the profile's token is encrypted, so that non-interactive work (scripts, IDEs, k9s) that follows
// has a full certificate lifetime ahead. It prints when that certificate expires, never the key.
import { X509Certificate } from 'node:crypto';
import { getCredential } from '../../credential/get-credential.js';
import { validateProfileName } from '../../profile/profile.js';
import { readExecCredential } from '../../setup/verify-login.js';
import { rfc3339Seconds } from '../../util/time.js';
import { type Edge, dirs } from '../edge.js';
import { parseDurationSeconds, parseFlags } from '../parse-values.js';
import { terminalTokenDeps } from '../token-deps.js';
import { credentialDeps } from './get-credential.js';

export const options = { profile: { type: 'string' }, timeout: { type: 'string' } } as const;

export async function run(args: string[], edge: Edge): Promise<void> {
  const { values } = parseFlags({ args, options });
  const profile = validateProfileName(values.profile ?? 'default');
  const flags = {
    profile,
    ...(values.timeout === undefined ? {} : { waitTimeoutSeconds: parseDurationSeconds('--timeout', values.timeout) }),
  };
  let printed = '';
  const getArgs = ['--profile', profile];
  const deps = {
    ...credentialDeps(edge, await dirs(edge), profile, getArgs, (text) => (printed += text)),
    tokens: terminalTokenDeps(edge, profile),
  };
  await getCredential(deps, { flags, args: ['get-credential', ...getArgs], background: false, renewNow: true, interactive: true });
  const notAfter = new Date(new X509Certificate(readExecCredential(printed).certificatePem).validTo);
  edge.stdout(`profile "${profile}": new certificate valid until ${rfc3339Seconds(notAfter)}\n`);
}
