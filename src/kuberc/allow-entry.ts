// setup --allow-in-kuberc: adds `- name: <exec command>` to the allowlist of the kuberc kubectl reads
// (`name:` is read by every kubectl from 1.35; 1.36+ read it as `command:`). Only the preference
// document kubectl uses is re-serialized (yaml Document API: comments and other fields kept); every
// other byte of the file stays. DenyAll becomes Allowlist with this one entry, and the change is
// reported. A file kubectl rejects, ignores or that we cannot judge is refused and left untouched.
import { promises as fs } from 'node:fs';
import { type Document, isSeq, parseDocument } from 'yaml';
import { KclError, describe } from '../errors.js';
import { withKubeconfigLock } from '../kubeconfig/lock.js';
import { writeFileAtomic } from '../util/files.js';
import { decodeKuberc } from './decode.js';
import { splitDocuments } from './documents.js';
import { type LookPathEnv, goClean } from './go-path.js';
import { type KubercLocation, readKuberc } from './source.js';
import { allowed } from './advice.js';
import { type KubectlAccess, judge, kubectlAccess } from './verdict.js';

export interface AllowOutcome {
  /** What kubectl will do after the edit. */
  access: KubectlAccess;
  /** What was (or, without write, would be) changed in the file, in words; empty when nothing had to. */
  changes: string[];
}

/** Without write (the lock's clock): only checks, and throws as the real edit would (setup checks before it writes anything). */
export async function allowInKuberc(
  location: KubercLocation,
  command: string,
  env: LookPathEnv,
  write: { sleep: (ms: number) => Promise<void> } | undefined,
): Promise<AllowOutcome> {
  const before = await kubectlAccess(location, command, env);
  if (location.kind === 'off' || allowed(before)) return { access: before, changes: [] };
  const target = await fs.realpath(location.file).catch(() => location.file); // a linked kuberc is edited where it lives
  const edit = async (): Promise<AllowOutcome> => {
    const content = await readKuberc(target);
    const state = { location, content };
    const verdicts = await judge(state, command, env);
    if (verdicts.every((v) => v.outcome === 'allowed')) return { access: { ...before, verdicts }, changes: [] };
    const refused = verdicts.find((v) => v.outcome === 'kuberc-error' || v.outcome === 'unknown');
    if (refused !== undefined || content.kind !== 'text') {
      throw new KclError('config', `not editing ${location.file}: ${refused?.reason ?? 'it cannot be read'}; fix it by hand first`);
    }
    const { text, changes } = addEntry(content.text, goClean(command, env.platform), env.platform);
    const after = await judge({ location, content: { kind: 'text', text } }, command, env);
    const still = after.find((v) => v.outcome !== 'allowed');
    if (still !== undefined) throw new KclError('config', `not editing ${location.file}: the entry would not be enough (${still.reason})`);
    if (write) await writeFileAtomic(target, text, (await fs.stat(target)).mode & 0o777);
    return { access: { ...before, verdicts: after }, changes };
  };
  return write ? withKubeconfigLock(target, edit, write) : edit();
}

function addEntry(text: string, entry: string, platform: NodeJS.Platform): { text: string; changes: string[] } {
  const decoded = [decodeKuberc(text, '1.35', platform), decodeKuberc(text, '1.36+', platform)];
  const used = decoded.map((d) => (d.kind === 'preference' ? d.preference.document : undefined));
  const chunk = used[0] === undefined ? undefined : splitDocuments(text).documents[used[0] - 1];
  if (chunk === undefined || used[0] !== used[1]) {
    throw new KclError('config', 'not editing the kuberc: kubectl 1.35 and 1.36 read different documents of it; fix it by hand first');
  }
  const doc = parseDocument(chunk.text, { version: '1.1', uniqueKeys: false });
  const changes: string[] = [];
  if (doc.get('credentialPluginPolicy') === 'DenyAll') {
    doc.set('credentialPluginPolicy', 'Allowlist');
    changes.push('credentialPluginPolicy DenyAll -> Allowlist (every other credential plugin is still refused)');
  }
  const list: unknown = doc.get('credentialPluginAllowlist', true);
  if (isSeq(list)) list.add(doc.createNode({ name: entry }));
  else doc.set('credentialPluginAllowlist', doc.createNode([{ name: entry }]));
  changes.push(`credentialPluginAllowlist += name: ${entry}`);
  const edited = serialize(doc, chunk.text);
  return { text: text.slice(0, chunk.start) + edited + text.slice(chunk.end), changes };
}

/** In the document's own sequence and flow styles, as far as the yaml package allows. */
function serialize(doc: Document, original: string): string {
  try {
    return doc.toString({ indentSeq: !/^- /m.test(original), flowCollectionPadding: false, lineWidth: 0 });
  } catch (error) {
    throw new KclError('config', `not editing the kuberc: cannot write it back (${describe(error)})`);
  }
}
