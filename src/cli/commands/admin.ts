// `kube-csr-login admin add-user | remove-user | list-users | trace`: the admin's side of provisioning.
// Turns flags into typed requests, builds the client from the admin's kubeconfig, runs one use case
// from src/admin/ and prints its report. Tokens never reach stdout, stderr or argv.
import { KclError, describe } from '../../errors.js';
import { addUser, manifestsFor } from '../../admin/add-user.js';
import { manifestsYaml } from '../../admin/dry-run.js';
import { listUsers } from '../../admin/list-users.js';
import { validateGroups, validateNamespace, validateUserName } from '../../admin/names.js';
import { removeUser } from '../../admin/remove-user.js';
import { addUserText, removeUserText, usersJson, usersTable } from '../../admin/report.js';
import { checkServerUrl } from '../../kube/server-url.js';
import { loadKubeconfigCluster } from '../../kube/kubeconfig-client.js';
import type { Edge } from '../edge.js';
import { readRecords, runTrace } from './admin-trace.js';
import { parseDurationSeconds, parseFlags, parseGroups } from '../parse-values.js';

const common = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'users-namespace': { type: 'string', default: 'users' },
} as const;

const addUserOptions = {
  ...common,
  groups: { type: 'string' },
  bundle: { type: 'string' },
  server: { type: 'string' },
  'token-duration': { type: 'string' },
  'dry-run': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
} as const;

const listUsersOptions = { ...common, output: { type: 'string', short: 'o' }, records: { type: 'string' } } as const;

const subcommands: Record<string, (args: string[], edge: Edge) => Promise<void>> = {
  'add-user': runAddUser,
  'remove-user': runRemoveUser,
  'list-users': runListUsers,
  trace: runTrace,
};

export async function run(args: string[], edge: Edge): Promise<void> {
  const [sub, ...rest] = args;
  const command = sub === undefined ? undefined : subcommands[sub];
  if (!command)
    throw new KclError(
      'usage',
      `admin: unknown subcommand "${(sub ?? '').slice(0, 40)}" (available: add-user, remove-user, list-users, trace)`,
    );
  await command(rest, edge);
}

async function runAddUser(args: string[], edge: Edge): Promise<void> {
  const { values, positionals } = parseFlags({ args, options: addUserOptions, allowPositionals: true }, 'admin add-user');
  const name = validateUserName(oneName('add-user', positionals));
  if (values.groups === undefined) throw new KclError('usage', "admin add-user: --groups a,b is required (--groups '' for none)");
  const groups = validateGroups(parseGroups(values.groups));
  const usersNamespace = validateNamespace(values['users-namespace']);
  const tokenDurationSeconds =
    values['token-duration'] === undefined ? undefined : parseDurationSeconds('--token-duration', values['token-duration']);
  if (tokenDurationSeconds !== undefined && tokenDurationSeconds < 600)
    throw new KclError('usage', '--token-duration must be at least 10m (the API minimum)');
  const spec = { name, groups, usersNamespace };
  if (values['dry-run'] || values.output !== undefined) {
    if (!values['dry-run'] || values.output !== 'yaml')
      throw new KclError('usage', 'admin add-user: -o yaml goes with --dry-run (print the objects instead of applying them)');
    edge.stdout(manifestsYaml(manifestsFor({ spec, ...(tokenDurationSeconds === undefined ? {} : { tokenDurationSeconds }) })));
    return;
  }
  if (values.server !== undefined && values.bundle === undefined)
    throw new KclError('usage', 'admin add-user: --server is the server written into the bundle: it needs --bundle FILE');
  if (tokenDurationSeconds !== undefined && values.bundle === undefined) {
    throw new KclError(
      'usage',
      'admin add-user: --token-duration needs --bundle FILE (the requested token is written only into the bundle)',
    );
  }
  const server = values.server === undefined ? undefined : checkedServer(values.server);
  const { client, cluster } = await loadKubeconfigCluster(choice(values, edge));
  const result = await addUser(
    { client, now: edge.now, sleep: edge.sleep },
    {
      spec,
      ...(tokenDurationSeconds === undefined ? {} : { tokenDurationSeconds }),
      ...(values.bundle === undefined ? {} : { bundle: { file: values.bundle, cluster, ...(server === undefined ? {} : { server }) } }),
    },
  );
  edge.stdout(addUserText(spec, result));
}

async function runRemoveUser(args: string[], edge: Edge): Promise<void> {
  const { values, positionals } = parseFlags({ args, options: common, allowPositionals: true }, 'admin remove-user');
  const name = validateUserName(oneName('remove-user', positionals));
  const usersNamespace = validateNamespace(values['users-namespace']);
  const { client } = await loadKubeconfigCluster(choice(values, edge));
  const removed = await removeUser(client, { name, usersNamespace });
  edge.stdout(removeUserText({ name, usersNamespace }, removed));
}

async function runListUsers(args: string[], edge: Edge): Promise<void> {
  const { values, positionals } = parseFlags({ args, options: listUsersOptions, allowPositionals: true }, 'admin list-users');
  if (positionals.length > 0) throw new KclError('usage', 'admin list-users takes no arguments');
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw new KclError('usage', 'admin list-users: -o must be json or table');
  const usersNamespace = validateNamespace(values['users-namespace']);
  const { client } = await loadKubeconfigCluster(choice(values, edge));
  const records = values.records === undefined ? [] : await readRecords(values.records, edge);
  const rows = await listUsers(client, usersNamespace, records);
  edge.stdout(output === 'json' ? usersJson(usersNamespace, rows) : usersTable(usersNamespace, rows, edge.now()));
}

function oneName(sub: string, positionals: string[]): string {
  const [name, ...more] = positionals;
  if (name === undefined || more.length > 0) throw new KclError('usage', `admin ${sub}: give exactly one user NAME`);
  return name;
}

function checkedServer(value: string): string {
  try {
    return checkServerUrl(value, '--server');
  } catch (error) {
    throw new KclError('usage', describe(error));
  }
}

function choice(values: { kubeconfig?: string | undefined; context?: string | undefined }, edge: Edge) {
  return {
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.context ? { context: values.context } : {}),
    env: edge.env,
    nowMs: () => edge.now().getTime(),
  };
}
