// --help and the flag tables the commands parse agree: every flag a command takes is in its help
// (a table line with a description, or its usage line), every flag the help lists is taken, and a
// default the table has is the one its help line states.
import { describe, expect, test } from '@jest/globals';
import { helpText } from '../../../src/cli/help.js';
import { addUserOptions, listUsersOptions } from '../../../src/cli/commands/admin.js';
import { options as traceOptions } from '../../../src/cli/commands/admin-trace.js';
import { options as explainOptions } from '../../../src/cli/commands/approver-explain.js';
import { options as approverOptions } from '../../../src/cli/commands/approver.js';
import { options as getCredentialOptions } from '../../../src/cli/commands/get-credential.js';
import { options as loginOptions } from '../../../src/cli/commands/login.js';
import { options as logoutOptions } from '../../../src/cli/commands/logout.js';
import { options as setupOptions } from '../../../src/cli/commands/setup.js';
import { options as statusOptions } from '../../../src/cli/commands/status.js';

type Option = { type: 'string' | 'boolean'; short?: string; default?: string | boolean };
type Options = Record<string, Option>;

const commands: Array<[string, Options[], string[]]> = [
  // [help, the option tables its text covers, flags deliberately left out of it]
  ['get-credential', [getCredentialOptions], ['background']], // internal: the detached renewal
  ['setup', [setupOptions], []],
  ['status', [statusOptions], []],
  ['login', [loginOptions], []],
  ['logout', [logoutOptions], []],
  ['approver', [approverOptions, explainOptions], []],
  ['admin', [addUserOptions, listUsersOptions, traceOptions], []],
];

/** Flag lines of the help's tables ("  --name ARG  description"), and the flags of its usage lines. */
function documented(help: string): { tableLines: Map<string, string>; usage: Set<string> } {
  const tableLines = new Map<string, string>();
  let last: string | undefined;
  for (const line of help.split('\n')) {
    const match = /^ {2}(?:-([a-z]), )?--([a-z0-9-]+)\b(.*)$/.exec(line) ?? /^ {2}-([a-z]) (.*)$/.exec(line);
    if (match) {
      last = match.length === 4 ? match[2]! : `-${match[1]}`;
      tableLines.set(last, line);
    } else if (last !== undefined && /^ {4,}\S/.test(line)) tableLines.set(last, `${tableLines.get(last)} ${line.trim()}`);
    else last = undefined;
  }
  const usageLines = help.split('\n').filter((line) => /^(Usage: | {7})kube-csr-login /.test(line));
  const usage = new Set(usageLines.flatMap((line) => [...line.matchAll(/(?<![\w-])(--[a-z0-9-]+|-[a-z])\b/g)].map((m) => m[1]!)));
  return { tableLines, usage };
}

describe('--help and the flag tables', () => {
  test.each(commands)('%s', (command, tables, internal) => {
    const help = helpText(command);
    const { tableLines, usage } = documented(help);
    const taken = new Map<string, Option>();
    for (const table of tables) for (const [name, option] of Object.entries(table)) taken.set(name, option);
    const shorts = new Set([...taken.values()].flatMap((option) => (option.short ? [`-${option.short}`] : [])));
    const missing: string[] = [];
    for (const [name, option] of taken) {
      if (internal.includes(name)) continue;
      const line = tableLines.get(name) ?? (option.short ? tableLines.get(`-${option.short}`) : undefined);
      if (line === undefined && !usage.has(`--${name}`) && !(option.short && usage.has(`-${option.short}`))) missing.push(`--${name}`);
      // a stated default is the table's
      if (line !== undefined && option.default !== undefined && option.default !== false) {
        expect([line, String(option.default)]).toEqual([
          expect.stringMatching(new RegExp(`default "?${option.default}"?\\b`)),
          String(option.default),
        ]);
      }
    }
    expect(missing).toEqual([]);
    const listed = [...tableLines.keys(), ...[...usage].map((flag) => flag.replace(/^--/, ''))];
    const unknown = listed.filter((flag) => !(taken.has(flag) || shorts.has(flag) || ['-h', '-v', 'help', 'verbose'].includes(flag)));
    expect(unknown).toEqual([]);
  });
});
