// Fuzzed kubeconfig files through the edits `setup` and `logout --forget` make (writeSetupEntries,
// removeSetupEntries), fixed seeds, bounded counts: valid YAML of odd shapes (lists where maps are
// expected, scalars, missing or duplicate names, anchors and aliases, comments, flow style, huge
// strings, CRLF, BOM), non-map roots, several documents, invalid YAML and character-level mutations.
// Each edit either succeeds, and every file still parses, holds the entries, keeps every other
// entry and is 0600, or throws a KclError and leaves every file byte-identical. Never another
// exception, never a partial file, never a leftover lock or temp file.
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { parseDocument, visit } from 'yaml';
import { KclError } from '../../../src/errors.js';
import { type SetupEntries, type SetupResult, removeSetupEntries, writeSetupEntries } from '../../../src/kubeconfig/setup-entries.js';
import { type Random, mutate, pick, seeded } from '../../helpers/fuzz.js';

jest.setTimeout(120_000);

type Kind = 'clusters' | 'users' | 'contexts';
const kinds: Kind[] = ['clusters', 'users', 'contexts'];
const polled = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const bodyKey: Record<Kind, string> = { clusters: 'cluster', users: 'user', contexts: 'context' };

// ---- generators -------------------------------------------------------------------------------

const namePool = [
  'prod',
  'dev',
  'jean.doe@dev',
  'jean.doe@prod',
  'admin',
  'prod-admin',
  'a:b',
  'with space',
  '*star',
  '#hash',
  "'q'",
  'ünïcode',
  '',
];
const serverPool = ['https://dev.example:6443', 'https://prod.example:6443', 'https://127.0.0.1:6443'];

function quoted(random: Random, value: string): string {
  return pick(random, ['plain', 'double', 'single']) === 'plain' && /^[A-Za-z][\w.@-]*$/.test(value) ? value : JSON.stringify(value);
}

function comment(random: Random): string {
  return random() < 0.2 ? ` # ${pick(random, ['keep me', 'é', '---', 'key: value', '&a *b'])}` : '';
}

/** One entry of a named list, sometimes malformed. */
function entry(random: Random, kind: Kind, anchors: string[]): string[] {
  const shape = random();
  const name = quoted(random, pick(random, namePool));
  const key = bodyKey[kind];
  if (shape < 0.03) return [`- ${pick(random, ['null', '~', '42', 'just a string', '[]', '{}', '[a, b]'])}`];
  if (shape < 0.06) return [`- ${key}: {server: https://x}`]; // no name
  if (shape < 0.09) return [`- name: ${pick(random, ['42', 'true', '[a]', '{a: 1}', 'null'])}`, `  ${key}: {}`];
  if (shape < 0.12) return [`- name: ${name}`, `  ${key}: ${pick(random, ['[1, 2]', 'scalar', 'null', '', '"str"'])}`];
  if (shape < 0.16 && anchors.length > 0) return [`- *${pick(random, anchors)}`]; // alias to an earlier entry
  const anchor = random() < 0.15 ? `a${anchors.length}` : undefined;
  if (anchor) anchors.push(anchor);
  const lead = anchor ? `- &${anchor}` : '-';
  const body: Record<Kind, string[]> = {
    clusters: [
      `server: ${pick(random, serverPool)}`,
      ...(random() < 0.3 ? ['certificate-authority-data: Q0E='] : []),
      ...(random() < 0.2 ? ['extensions: [{name: x, extension: {a: 1}}]'] : []),
    ],
    users:
      random() < 0.5
        ? ['token: abc']
        : ['exec:', '  apiVersion: client.authentication.k8s.io/v1', '  command: /bin/true', '  args: [get-credential]'],
    contexts: [
      `cluster: ${quoted(random, pick(random, namePool))}`,
      `user: ${quoted(random, pick(random, namePool))}`,
      ...(random() < 0.2 ? ['namespace: default'] : []),
    ],
  };
  if (random() < 0.15) {
    const flow = body[kind].filter((line) => !line.startsWith(' ') && !line.endsWith(':')).join(', ');
    return [`${lead} {name: ${name}, ${key}: {${flow}}}${comment(random)}`];
  }
  const bodyAnchor = random() < 0.1 ? ` &b${anchors.length}` : '';
  if (bodyAnchor) anchors.push(`b${anchors.length}`);
  return [`${lead} name: ${name}${comment(random)}`, `  ${key}:${bodyAnchor}`, ...body[kind].map((line) => `    ${line}`)];
}

function section(random: Random, kind: Kind, anchors: string[]): string[] {
  const shape = random();
  if (shape < 0.04) return [`${kind}: ${pick(random, ['{}', '{a: 1}', 'str', '42', 'null', '', '~', '[]'])}`];
  if (shape < 0.06) return [];
  if (shape < 0.08 && anchors.length > 0) return [`${kind}: *${pick(random, anchors)}`];
  const count = Math.floor(random() * 4);
  const lines = [`${kind}:${comment(random)}`];
  for (let i = 0; i < count; i += 1) lines.push(...entry(random, kind, anchors));
  if (count === 0) lines[0] = `${kind}: []`;
  return lines;
}

/** A kubeconfig text: mostly a map of odd sections, sometimes something else entirely. */
function kubeconfigText(random: Random): string {
  const root = random();
  if (root < 0.03)
    return pick(random, ['', '\n', '# only a comment\n', 'null\n', '~\n', '- a\n- b\n', 'just text\n', '42\n', '[]\n', '"x"\n']);
  if (root < 0.05) return 'apiVersion: v1\nkind: Config\n---\napiVersion: v1\nkind: Config\n'; // two documents
  const anchors: string[] = [];
  const lines: string[] = random() < 0.2 ? ['# my clusters', '# second line'] : [];
  if (random() < 0.1) lines.push('%YAML 1.2', '---');
  if (random() < 0.9) lines.push('apiVersion: v1', 'kind: Config');
  if (random() < 0.2) lines.push('preferences: {}');
  const order = [...kinds].sort(() => random() - 0.5);
  for (const kind of order) lines.push(...section(random, kind, anchors));
  if (random() < 0.1) lines.push(...section(random, pick(random, kinds), anchors)); // a duplicate key
  const current = random();
  if (current < 0.5) lines.push(`current-context: ${quoted(random, pick(random, namePool))}`);
  else if (current < 0.55) lines.push(`current-context: ${pick(random, ['[a]', '{a: 1}', '42', 'null', ''])}`);
  if (random() < 0.02) lines.push(`huge: ${'x'.repeat(50_000 + Math.floor(random() * 100_000))}`);
  if (random() < 0.05) lines.push('binary: !!binary aGVsbG8=', 'tagged: !custom {a: 1}');
  if (random() < 0.05) lines.push('extensions:', '- name: x', '  extension: {a: [1, 2, {b: c}]}');
  let text = `${lines.join('\n')}\n`;
  const finish = random();
  if (finish < 0.15) text = mutate(random, text);
  else if (finish < 0.2) text = text.replace(/\n/g, '\r\n');
  else if (finish < 0.23) text = `\uFEFF${text}`;
  else if (finish < 0.26) text = text.replace(/\n {2}/, '\n\t');
  else if (finish < 0.28) text = text.slice(0, Math.floor(random() * text.length)); // truncated
  return text;
}

function setupInput(random: Random): SetupEntries {
  const user = pick(random, ['jean.doe', 'max', 'a'.repeat(300)]);
  return {
    server: pick(random, serverPool),
    certificateAuthorityData: 'Q0E=',
    clusterName: pick(random, ['dev', 'dev', 'prod', 'with space', 'a:b', '*star', 'x'.repeat(500)]),
    userName: user,
    ...(random() < 0.2 ? { contextName: pick(random, ['prod-admin', 'dev', 'mine']) } : {}),
    ...(random() < 0.2 ? { namespace: 'team' } : {}),
    useContext: random() < 0.5,
    exec: {
      command: '/opt/kcl/bin/kube-csr-login',
      profile: pick(random, ['default', 'jean.doe']),
      installHint: 'npm install -g kube-csr-login',
    },
  };
}

// ---- the oracle -------------------------------------------------------------------------------

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The file as kubectl-like readers see it, or undefined when it is not one map document. */
function read(text: string | undefined): Plain | undefined {
  if (text === undefined || text.trim() === '') return {};
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return undefined;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: -1 });
  } catch {
    return undefined;
  }
  return isPlain(value) ? value : undefined;
}

/** Aliases share nodes: editing an anchored entry changes its aliases too (kubectl expands them). */
function hasAliases(text: string | undefined): boolean {
  if (text === undefined) return false;
  let found = false;
  visit(parseDocument(text), {
    Alias: () => {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

/** kubectl refuses a file with two entries of one name ("duplicate name in list"). */
function duplicated(configs: Plain[], kind: Kind, name: string): boolean {
  return configs.some((config) => listOf(config, kind).filter((item) => nameOf(item) === name).length > 1);
}

const listOf = (config: Plain, kind: Kind): unknown[] => (Array.isArray(config[kind]) ? (config[kind] as unknown[]) : []);
const nameOf = (item: unknown): unknown => (isPlain(item) ? item.name : undefined);

/** The first entry of that name across the files, as kubectl picks it. */
function firstEntry(configs: Plain[], kind: Kind, name: string): Plain | undefined {
  for (const config of configs) {
    const found = listOf(config, kind).find((item) => nameOf(item) === name);
    if (isPlain(found)) return found;
  }
  return undefined;
}

/** Entries other than the touched names (and malformed items) stay exactly as they were. */
function keptProblem(before: Plain, after: Plain, touched: Record<Kind, string[]>): string | undefined {
  for (const kind of kinds) {
    const others = (config: Plain) =>
      JSON.stringify(listOf(config, kind).filter((item) => !touched[kind].includes(nameOf(item) as string)));
    if (others(before) !== others(after)) return `other ${kind} changed: ${others(before).slice(0, 200)} -> ${others(after).slice(0, 200)}`;
  }
  // Other top-level fields are kept; an empty or new file may gain the skeleton fields.
  const skeleton = ['apiVersion', 'kind', 'preferences', ...kinds, 'current-context'];
  for (const [key, value] of Object.entries(before)) {
    if (skeleton.slice(3).includes(key)) continue;
    if (JSON.stringify(after[key]) !== JSON.stringify(value))
      return `top-level ${key} changed: ${JSON.stringify(value).slice(0, 200)} -> ${JSON.stringify(after[key]).slice(0, 200)}`;
  }
  const added = Object.keys(after).filter((key) => !(key in before) && !skeleton.includes(key));
  if (added.length > 0) return `top-level fields added: ${added.join(', ')}`;
  return undefined;
}

function writeProblem(input: SetupEntries, result: SetupResult, befores: Plain[], afters: Plain[], aliased: boolean[]): string | undefined {
  const names = { clusters: result.cluster, users: result.user, contexts: result.context };
  if (kinds.some((kind) => duplicated(befores, kind, names[kind]))) return undefined; // no kubectl meaning to check against
  const user = firstEntry(afters, 'users', result.user);
  const exec = isPlain(user) && isPlain(user.user) ? user.user.exec : undefined;
  if (!isPlain(exec) || JSON.stringify(exec.args) !== JSON.stringify(['get-credential', '--profile', input.exec.profile]))
    return `user ${result.user} has no exec stanza`;
  const context = firstEntry(afters, 'contexts', result.context);
  const body = isPlain(context) ? context.context : undefined;
  if (!isPlain(body) || body.cluster !== result.cluster || body.user !== result.user)
    return `context ${result.context} does not name ${result.cluster} / ${result.user}`;
  const cluster = firstEntry(afters, 'clusters', result.cluster);
  if (!isPlain(cluster) || !isPlain(cluster.cluster) || cluster.cluster.server !== input.server)
    return `cluster ${result.cluster} does not point at ${input.server}`;
  if (input.useContext) {
    const current = afters.map((c) => c['current-context']).find((v) => typeof v === 'string' && v !== '');
    if (current !== result.context) return `current-context is ${String(current)}, not ${result.context}`;
  }
  const touched = { clusters: [result.cluster], users: [result.user], contexts: [result.context] };
  for (const [i, before] of befores.entries()) {
    if (aliased[i]) continue;
    const problem = keptProblem(before, afters[i] ?? {}, touched);
    if (problem) return `file ${i}: ${problem}`;
  }
  return undefined;
}

function removeProblem(
  user: string,
  context: string,
  cluster: string,
  befores: Plain[],
  afters: Plain[],
  aliased: boolean[],
): string | undefined {
  if (duplicated(befores, 'users', user) || duplicated(befores, 'contexts', context) || duplicated(befores, 'clusters', cluster))
    return undefined;
  for (const [i, after] of afters.entries()) {
    if (listOf(after, 'users').some((item) => nameOf(item) === user)) return `file ${i} still has user ${user}`;
    if (listOf(after, 'contexts').some((item) => nameOf(item) === context)) return `file ${i} still has context ${context}`;
    if (after['current-context'] === context) return `file ${i} still has current-context ${context}`;
  }
  const stillUsed = afters.some((c) =>
    listOf(c, 'contexts').some((item) => isPlain(item) && isPlain(item.context) && item.context.cluster === cluster),
  );
  const clusterGone = !afters.some((c) => listOf(c, 'clusters').some((item) => nameOf(item) === cluster));
  const clusterBefore = befores.some((c) => listOf(c, 'clusters').some((item) => nameOf(item) === cluster));
  if (!stillUsed && !clusterGone) return `unused cluster ${cluster} kept`;
  const touched = { clusters: clusterBefore && clusterGone ? [cluster] : [], users: [user], contexts: [context] };
  for (const [i, before] of befores.entries()) {
    if (aliased[i]) continue;
    const problem = keptProblem(before, afters[i] ?? {}, touched);
    if (problem) return `file ${i}: ${problem}`;
  }
  return undefined;
}

// ---- the harness ------------------------------------------------------------------------------

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kcl-fuzz-kubeconfig-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function snapshot(files: string[]): Promise<Array<string | undefined>> {
  return Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => undefined)));
}

interface Case {
  texts: Array<string | undefined>;
  op: { kind: 'write'; input: SetupEntries } | { kind: 'remove'; user: string; context: string; cluster: string };
}

/** Runs one edit in a fresh directory; returns what is wrong, or undefined. */
async function runCase(n: number, c: Case): Promise<{ problem?: string; ok: boolean }> {
  const dir = path.join(root, String(n));
  await mkdir(dir);
  const files = c.texts.map((_, i) => path.join(dir, `config${i}`));
  for (const [i, text] of c.texts.entries()) if (text !== undefined) await writeFile(files[i] ?? '', text, { mode: 0o644 });
  const before = await snapshot(files);
  const label = () => `${JSON.stringify(c.op).slice(0, 200)} on ${JSON.stringify(c.texts.map((t) => t?.slice(0, 300)))}`;
  const edit = () =>
    c.op.kind === 'write'
      ? writeSetupEntries({ files, timeoutMs: 1000, sleep: polled }, c.op.input)
      : removeSetupEntries({ files, timeoutMs: 1000, sleep: polled }, c.op.user, c.op.context, c.op.cluster);
  let result: SetupResult | void;
  try {
    result = await edit();
  } catch (error) {
    if (!(error instanceof KclError))
      return { problem: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} for ${label()}`, ok: false };
    const after = await snapshot(files);
    if (JSON.stringify(after) !== JSON.stringify(before))
      return { problem: `failed (${error.message}) but changed a file: ${label()}`, ok: false };
    if (/\n/.test(error.message)) return { problem: `multi-line message ${JSON.stringify(error.message)}`, ok: false };
    const left = (await readdir(dir)).filter((f) => !/^config\d$/.test(f));
    if (left.length > 0) return { problem: `left ${left.join(', ')} behind: ${label()}`, ok: false };
    await rm(dir, { recursive: true });
    return { ok: false };
  }
  const after = await snapshot(files);
  const left = (await readdir(dir)).filter((f) => !/^config\d$/.test(f));
  if (left.length > 0) return { problem: `left ${left.join(', ')} behind: ${label()}`, ok: true };
  const befores = before.map(read);
  const afters = after.map(read);
  if (afters.some((a) => a === undefined))
    return { problem: `succeeded but left a file that does not parse as a map: ${label()}`, ok: true };
  if (befores.some((b) => b === undefined)) return { problem: `succeeded on a file that does not parse as a map: ${label()}`, ok: true };
  for (const [i, text] of after.entries()) {
    if (text !== undefined && text !== before[i] && ((await stat(files[i] ?? '')).mode & 0o777) !== 0o600)
      return { problem: `file ${i} written without mode 0600`, ok: true };
  }
  const aliased = before.map(hasAliases);
  const problem =
    c.op.kind === 'write'
      ? writeProblem(c.op.input, result as SetupResult, befores as Plain[], afters as Plain[], aliased)
      : removeProblem(c.op.user, c.op.context, c.op.cluster, befores as Plain[], afters as Plain[], aliased);
  if (problem) return { problem: `${problem}: ${label()}`, ok: true };
  if (c.op.kind === 'write') {
    // Running setup again changes nothing.
    await edit();
    if (JSON.stringify(await snapshot(files)) !== JSON.stringify(after))
      return { problem: `second run changed the files: ${label()}`, ok: true };
  }
  await rm(dir, { recursive: true });
  return { ok: true };
}

async function fuzz(seed: number, count: number, makeOp: (random: Random) => Case['op']) {
  const random = seeded(seed);
  const problems: string[] = [];
  let succeeded = 0;
  const cases: Case[] = Array.from({ length: count }, () => {
    const fileCount = random() < 0.8 ? 1 : 2;
    const texts = Array.from({ length: fileCount }, () => (random() < 0.05 ? undefined : kubeconfigText(random)));
    return { texts, op: makeOp(random) };
  });
  // Each case has its own directory: run a few at once, so fsync waits overlap.
  for (let start = 0; start < count; start += 8) {
    const outcomes = await Promise.all(cases.slice(start, start + 8).map((c, i) => runCase(seed * 100_000 + start + i, c)));
    for (const outcome of outcomes) {
      if (outcome.problem) problems.push(outcome.problem);
      if (outcome.ok) succeeded += 1;
    }
  }
  return { problems, succeeded };
}

describe('fuzzed kubeconfig files', () => {
  test('700 setups (writeSetupEntries)', async () => {
    const { problems, succeeded } = await fuzz(21, 700, (random) => ({ kind: 'write', input: setupInput(random) }));
    expect(problems.slice(0, 5)).toEqual([]);
    expect(succeeded).toBeGreaterThan(250); // most generated files are usable kubeconfigs
  });

  test('400 logouts (removeSetupEntries)', async () => {
    const { problems, succeeded } = await fuzz(22, 400, (random) => {
      const user = pick(random, ['jean.doe@dev', 'jean.doe@prod', 'admin', 'nobody']);
      return { kind: 'remove', user, context: pick(random, [user, 'prod-admin', 'dev']), cluster: pick(random, ['dev', 'prod', 'gone']) };
    });
    expect(problems.slice(0, 5)).toEqual([]);
    expect(succeeded).toBeGreaterThan(120);
  });
});
