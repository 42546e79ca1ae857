// --dry-run -o yaml: the manifests as one multi-document YAML stream.
import { stringify } from 'yaml';
import type { Manifest } from './apply-manifests.js';

export function manifestsYaml(manifests: Manifest[]): string {
  return manifests.map((m) => `---\n${stringify(m)}`).join('');
}
