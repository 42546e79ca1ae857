// `kube-csr-login status [--profile NAME] [-o json]`: each profile's cluster, context, identity,
// cached certificate, renewal point and back-off. Informational: reads local files only, never the
// network, and exits 0 whatever state the certificates are in.
import { KclError } from '../../errors.js';
import { collectStatus } from '../../status/collect-status.js';
import { renderStatusJson, renderStatusText } from '../../status/render-status.js';
import { type Edge, dirs } from '../edge.js';
import { parseFlags } from '../parse-values.js';

export const options = { profile: { type: 'string' }, output: { type: 'string', short: 'o' } } as const;

export async function run(args: string[], edge: Edge): Promise<void> {
  const { values } = parseFlags({ args, options });
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new KclError('usage', `unknown output format "${output.slice(0, 20)}": use -o json`);
  const { cacheDir, configDir } = await dirs(edge);
  const at = edge.now(); // one instant for the whole report
  const statuses = await collectStatus(
    { now: () => at, cacheDir, configDir },
    values.profile === undefined ? {} : { profile: values.profile },
  );
  edge.stdout(output === 'json' ? renderStatusJson(statuses) : renderStatusText(statuses, at));
}
