// A kuberc read as one kubectl release reads it (k8s.io/kubectl pkg/kuberc): the first document that
// decodes as a kubectl.config.k8s.io Preference is used, others are skipped; the YAML reader is
// YAML 1.1 (yes/no are booleans). Then the preferences are converted (1.36+: `name` becomes `command`,
// both set to different values makes the document unusable) and validated as kubectl validates them
// before running any command.
import { parseDocument } from 'yaml';
import { isRecord } from '../util/validate.js';
import { splitDocuments } from './documents.js';
import { type KubectlLine, type PreferenceVersion, checkPreferenceShape, group } from './schema.js';
import { validatePreference } from './validate.js';

interface Preference {
  /** 1-based position among the file's non-blank documents. */
  document: number;
  version: PreferenceVersion;
  /** '' when not set (kubectl: AllowAll). */
  policy: string;
  /** Entry commands after conversion; undefined when there is no list at all. */
  allowlist: string[] | undefined;
  /** kubectl's warning: fields this release does not know (read as if absent). */
  unknownFields: string[];
  /** kubectl's validation error: with it, every kubectl command fails. */
  problem?: string;
}

/** empty: no document, so no preferences. invalid: no usable Preference (kubectl warns, or fails when KUBERC names the file). */
export type Decoded = { kind: 'empty' } | { kind: 'invalid'; reason: string } | { kind: 'preference'; preference: Preference };

export function decodeKuberc(text: string, line: KubectlLine, platform: NodeJS.Platform): Decoded {
  const split = splitDocuments(text);
  const skipped: string[] = [];
  for (const [index, document] of split.documents.entries()) {
    const decoded = decodeDocument(document.text, line);
    if (typeof decoded === 'string') {
      skipped.push(`document ${index + 1}: ${decoded}`);
      continue;
    }
    const preference: Preference = { document: index + 1, ...decoded };
    const problem = validatePreference(decoded.raw, decoded.policy, decoded.allowlist, line, platform);
    return { kind: 'preference', preference: problem === undefined ? preference : { ...preference, problem } };
  }
  if (split.error !== undefined) return { kind: 'invalid', reason: split.error };
  if (skipped.length > 0) return { kind: 'invalid', reason: `no kubectl Preference in it (${skipped.join('; ')})` };
  return { kind: 'empty' };
}

type DecodedDocument = Omit<Preference, 'document' | 'problem'> & { raw: Record<string, unknown> };

/** The preferences of one document, or why kubectl skips it. */
function decodeDocument(text: string, line: KubectlLine): DecodedDocument | string {
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) return `invalid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`;
  const value: unknown = doc.toJS();
  if (!isRecord(value)) return 'not a mapping with apiVersion and kind';
  const { apiVersion, kind } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    return 'no apiVersion and kind';
  }
  const version = apiVersion === `${group}/v1beta1` ? 'v1beta1' : apiVersion === `${group}/v1alpha1` ? 'v1alpha1' : undefined;
  if (version === undefined || kind !== 'Preference')
    return `${apiVersion.slice(0, 60)} ${kind.slice(0, 30)} is not a kubectl Preference this kubectl reads`;
  const shape = checkPreferenceShape(value, version, line);
  if (shape.typeError !== undefined) return shape.typeError;
  const policy = version === 'v1beta1' && typeof value.credentialPluginPolicy === 'string' ? value.credentialPluginPolicy : '';
  const entries = version === 'v1beta1' && Array.isArray(value.credentialPluginAllowlist) ? value.credentialPluginAllowlist : undefined;
  const allowlist: string[] = [];
  for (const [index, entry] of (entries ?? []).entries()) {
    const name = entryField(entry, 'name');
    const command = line === '1.35' ? '' : entryField(entry, 'command');
    if (name !== '' && command !== '' && name !== command) {
      return `credentialPluginAllowlist entry #${index + 1} sets name and command to different values`;
    }
    allowlist.push(command || name);
  }
  return { version, policy, allowlist: entries && allowlist, unknownFields: shape.unknownFields, raw: value };
}

function entryField(entry: unknown, key: string): string {
  if (!isRecord(entry)) return '';
  const value = entry[key];
  return value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : '';
}
