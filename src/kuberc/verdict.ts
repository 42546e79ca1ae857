// Will kubectl run our exec command? The answer per kubectl release line, from the kuberc it reads:
// allowed; denied (kubectl refuses to start the plugin: "not allowed" / "not permitted"); kuberc-error
// (kubectl rejects the kuberc itself and every command exits 1); unknown (we did not read the file).
import { matchAllowlist } from './allowlist-match.js';
import { decodeKuberc } from './decode.js';
import { type LookPathEnv, goClean } from './go-path.js';
import { type KubectlLine, kubectlLines } from './schema.js';
import { type KubercContent, type KubercLocation, readKuberc } from './source.js';

export type Outcome = 'allowed' | 'denied' | 'kuberc-error' | 'unknown';

export interface Verdict {
  kubectl: KubectlLine;
  outcome: Outcome;
  reason: string;
  /** What kubectl prints on stderr about the kuberc, though it goes on. */
  warning?: string;
}

export interface KubercState {
  location: KubercLocation;
  content: KubercContent | undefined;
}

/** What kubectl will do with this command, per release line: reads the kuberc kubectl reads. */
export async function kubectlAccess(location: KubercLocation, command: string | undefined, env: LookPathEnv): Promise<KubectlAccess> {
  const content = location.kind === 'off' ? undefined : await readKuberc(location.file);
  return {
    kuberc: location.kind === 'off' ? undefined : location.file,
    command,
    entry: command === undefined ? undefined : goClean(command, env.platform),
    verdicts: await judge({ location, content }, command, env),
  };
}

/** Where kubectl finds its kuberc, and the PATH and directory it resolves commands with. */
export interface KubectlEnvironment {
  kuberc: KubercLocation;
  look: LookPathEnv;
}

export interface KubectlAccess {
  /** The kuberc kubectl reads; undefined when kuberc is off. */
  kuberc: string | undefined;
  command: string | undefined;
  /** The allowlist entry that lets kubectl run the command: the command as kubectl cleans it. */
  entry: string | undefined;
  verdicts: Verdict[];
}

/** Undefined command: the exec stanza could not be read (only kuberc-wide answers can be given). */
export async function judge(state: KubercState, command: string | undefined, env: LookPathEnv): Promise<Verdict[]> {
  return Promise.all(kubectlLines.map((line) => judgeLine(state, command, env, line)));
}

async function judgeLine(state: KubercState, command: string | undefined, env: LookPathEnv, kubectl: KubectlLine): Promise<Verdict> {
  const verdict = (outcome: Outcome, reason: string, warning?: string): Verdict => ({
    kubectl,
    outcome,
    reason,
    ...(warning === undefined ? {} : { warning }),
  });
  const { location, content } = state;
  if (location.kind === 'off' || content === undefined)
    return verdict('allowed', `kuberc is off (${location.kind === 'off' ? location.reason : ''})`);
  const { file, explicit } = location;
  const broken = (problem: string) =>
    explicit
      ? verdict('kuberc-error', `KUBERC names ${file}, which ${problem}: every kubectl command fails`)
      : verdict('allowed', `kubectl ignores ${file}, which ${problem}`, `kubectl warns that it loaded no preferences from ${file}`);
  switch (content.kind) {
    case 'missing':
      return explicit ? broken('does not exist') : verdict('allowed', `no kuberc (${file})`);
    case 'unreadable':
      return broken(`cannot be read (${content.reason})`);
    case 'too-large':
      return verdict('unknown', `${file} is ${content.bytes} bytes, too large for kube-csr-login to read`);
    case 'text':
      break;
  }
  const decoded = decodeKuberc(content.text, kubectl, env.platform);
  if (decoded.kind === 'empty') return verdict('allowed', `${file} holds no preferences`);
  if (decoded.kind === 'invalid') return broken(`holds ${decoded.reason}`);
  const { preference } = decoded;
  const warning = preference.unknownFields.length
    ? `kubectl ${kubectl} warns about fields it does not know in ${file}: ${preference.unknownFields.slice(0, 5).join(', ')}`
    : undefined;
  if (preference.problem !== undefined) {
    return verdict('kuberc-error', `kubectl ${kubectl} rejects ${file}: ${preference.problem}; every kubectl command fails`, warning);
  }
  const policy = preference.policy || 'AllowAll';
  if (policy === 'AllowAll') {
    const why =
      preference.version === 'v1alpha1'
        ? `${file} is kubectl.config.k8s.io/v1alpha1, which has no credential plugin policy`
        : `${file} sets credentialPluginPolicy ${preference.policy ? 'AllowAll' : 'nowhere (AllowAll)'}`;
    return verdict('allowed', why, warning);
  }
  if (policy === 'DenyAll') return verdict('denied', `${file} sets credentialPluginPolicy DenyAll`, warning);
  if (command === undefined)
    return verdict('unknown', `${file} has an allowlist, and the exec command of this profile is unknown`, warning);
  const match = await matchAllowlist(preference.allowlist ?? [], command, env);
  return match.allowed ? verdict('allowed', `${file} allows ${match.by}`, warning) : verdict('denied', `${file}: ${match.reason}`, warning);
}
