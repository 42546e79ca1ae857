// The Preference types kubectl decodes a kuberc document into (k8s.io/kubectl pkg/config v1alpha1 and
// v1beta1), as field shapes. kubectl decodes strictly, then leniently: a field of the wrong type makes
// the document unusable; an unknown field only draws a warning ("ignoring strict decoding error").
// Field names are case-sensitive; null is the zero value.
import { isRecord } from '../util/validate.js';

type Shape = 'string' | { list: Shape } | { fields: Record<string, Shape> };

/** The kubectl releases whose kuberc readers differ: 1.35 has `name` entries, 1.36 adds `command`. */
export type KubectlLine = '1.35' | '1.36+';
export const kubectlLines: readonly KubectlLine[] = ['1.35', '1.36+'];

export const group = 'kubectl.config.k8s.io';
export type PreferenceVersion = 'v1alpha1' | 'v1beta1';

const list = (shape: Shape): Shape => ({ list: shape });
const fields = (shape: Record<string, Shape>): Shape => ({ fields: shape });
const strings = list('string');

function preferenceShape(version: PreferenceVersion, line: KubectlLine): Shape {
  const options = list(fields({ name: 'string', default: 'string' }));
  const optionsKey = version === 'v1alpha1' ? 'flags' : 'options';
  const alias = fields({ name: 'string', command: 'string', prependArgs: strings, appendArgs: strings, [optionsKey]: options });
  const typeMeta = { apiVersion: 'string', kind: 'string' } as const;
  if (version === 'v1alpha1') {
    return fields({ ...typeMeta, overrides: list(fields({ command: 'string', flags: options })), aliases: list(alias) });
  }
  const entry = fields(line === '1.35' ? { name: 'string' } : { name: 'string', command: 'string' });
  return fields({
    ...typeMeta,
    defaults: list(fields({ command: 'string', options })),
    aliases: list(alias),
    credentialPluginPolicy: 'string',
    credentialPluginAllowlist: list(entry),
  });
}

export interface ShapeCheck {
  /** The first value of the wrong type: the document cannot be decoded. */
  typeError?: string;
  /** Fields the type does not have (strict decoding errors). */
  unknownFields: string[];
}

export function checkPreferenceShape(value: unknown, version: PreferenceVersion, line: KubectlLine): ShapeCheck {
  const check: ShapeCheck = { unknownFields: [] };
  check.typeError = walk(value, preferenceShape(version, line), '', check.unknownFields);
  return check;
}

function walk(value: unknown, shape: Shape, where: string, unknown: string[]): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (shape === 'string') {
    // YAML timestamps stay strings for kubectl's YAML reader
    return typeof value === 'string' || value instanceof Date ? undefined : `${where} must be a string`;
  }
  if ('list' in shape) {
    if (!Array.isArray(value)) return `${where} must be a list`;
    for (const [index, item] of value.entries()) {
      const error = walk(item, shape.list, `${where}[${index}]`, unknown);
      if (error) return error;
    }
    return undefined;
  }
  if (!isRecord(value)) return `${where || 'the document'} must be a mapping`;
  for (const [key, item] of Object.entries(value)) {
    const field = shape.fields[key];
    const path = where ? `${where}.${key}` : key;
    if (field === undefined) unknown.push(path);
    else {
      const error = walk(item, field, path, unknown);
      if (error) return error;
    }
  }
  return undefined;
}
