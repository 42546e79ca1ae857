// Which kubeconfig files to read and which one to write, following kubectl's loading rules.
import { delimiter, join } from 'node:path';

export interface KubeconfigPathInput {
  explicit?: string;
  env: string | undefined;
  home: string;
}

/** All files in precedence order; new entries go to the first. */
export function kubeconfigFiles(input: KubeconfigPathInput): string[] {
  if (input.explicit !== undefined && input.explicit !== '') return [input.explicit];
  const list = (input.env ?? '').split(delimiter).filter((entry) => entry !== '');
  const unique = [...new Set(list)];
  if (unique.length > 0) return unique;
  return [join(input.home, '.kube', 'config')];
}
