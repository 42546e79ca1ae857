// `kube-csr-login admin add-user NAME --groups a,b [--users-namespace users] --dry-run -o yaml`.
// Only the dry run is implemented so far; live apply, remove-user and list-users are not.
import { parseArgs } from 'node:util';
import { KclError } from '../../errors.js';
import { manifestsYaml } from '../../admin/dry-run.js';
import { userManifests } from '../../admin/manifests.js';
import { validateGroups, validateUserName } from '../../admin/names.js';
import type { Edge } from '../edge.js';

export async function run(args: string[], edge: Edge): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'add-user') throw new KclError('usage', `admin: unknown or unimplemented subcommand "${sub ?? ''}" (available: add-user --dry-run -o yaml)`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: { groups: { type: 'string' }, 'users-namespace': { type: 'string' }, 'dry-run': { type: 'boolean' }, output: { type: 'string', short: 'o' } },
    });
  } catch (error) {
    throw new KclError('usage', error instanceof Error ? (error.message.split('\n')[0] ?? '') : 'bad arguments');
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] === undefined) throw new KclError('usage', 'admin add-user: give exactly one user NAME');
  const name = validateUserName(positionals[0]);
  const groups = validateGroups((values.groups ?? '').split(',').filter((g) => g !== ''));
  const usersNamespace = validateUserName(values['users-namespace'] ?? 'users');
  if (!values['dry-run'] || values.output !== 'yaml') throw new KclError('usage', 'admin add-user: only --dry-run -o yaml is implemented yet');
  edge.stdout(manifestsYaml(userManifests({ name, groups, usersNamespace })));
}
