// Entry point: picks the command, lazily imports it (so get-credential never loads setup, admin or
// approver code), and turns any failure into one line on stderr and an exit code.
import { KclError, describe, exitCodes } from '../errors.js';
import { type Edge, processEdge } from './edge.js';
import { helpText } from './help.js';

/** package.json's version, set by the bundler (scripts/bundle.js): the release archive and the
 * single executable carry no package.json. */
declare const KUBE_CSR_LOGIN_VERSION: string | undefined;

export interface Command {
  run: (args: string[], edge: Edge) => Promise<void>;
}

const commands: Record<string, () => Promise<Command>> = {
  'get-credential': () => import('./commands/get-credential.js'),
  setup: () => import('./commands/setup.js'),
  status: () => import('./commands/status.js'),
  login: () => import('./commands/login.js'),
  logout: () => import('./commands/logout.js'),
  approver: () => import('./commands/approver.js'),
  admin: () => import('./commands/admin.js'),
};

export async function main(argv: string[], entryScript: string): Promise<number> {
  const edge = processEdge(entryScript, argv.includes('-v') || argv.includes('--verbose'));
  return runCli(
    argv.filter((a) => a !== '-v' && a !== '--verbose'),
    edge,
  );
}

export async function runCli(argv: string[], edge: Edge): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    edge.stdout(helpText(rest[0]));
    return name === undefined ? exitCodes.usage : 0;
  }
  if (name === 'version' || name === '--version') {
    edge.stdout(`kube-csr-login ${typeof KUBE_CSR_LOGIN_VERSION === 'string' ? KUBE_CSR_LOGIN_VERSION : 'unbundled'}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    edge.stderr(`kube-csr-login: unknown command "${name.slice(0, 40)}" (see kube-csr-login --help)\n`);
    return exitCodes.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    edge.stdout(helpText(name));
    return 0;
  }
  try {
    await (await load()).run(rest, edge);
    return 0;
  } catch (error) {
    return report(error, edge);
  }
}

function report(error: unknown, edge: Edge): number {
  if (edge.verbose && error instanceof Error && error.stack) edge.stderr(`${error.stack}\n`);
  if (error instanceof KclError) {
    edge.stderr(`kube-csr-login: ${oneLine(error.message)}\n`);
    return error.exitCode;
  }
  edge.stderr(`kube-csr-login: internal error: ${oneLine(describe(error))} (run with --verbose for details)\n`);
  return exitCodes.internal;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
