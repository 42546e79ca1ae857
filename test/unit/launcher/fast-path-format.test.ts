// The fast path file's format is declared once (fastPathFormat in src/cache/fast-path.ts). Both
// readers are held to it here, field by field: the sh launcher (run for real, with no Node to fall
// back to, so a miss is a failed exec) and the TypeScript reader the Node entry uses. A valid file
// is served identically by both; each field changed alone makes both miss. The launcher reads the
// real clock (date(1)), so the deadlines here are real times.
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from '@jest/globals';
import {
  type FastPathField,
  type FastPathInputs,
  answerFromFastPath,
  fastPathFormat,
  renderFastPath,
} from '../../../src/cache/fast-path.js';
import { tempDir } from '../../helpers/temp-dirs.js';

const launcher = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/kube-csr-login');
const credential = '{"kind":"ExecCredential","status":{"token":"not-a-secret"}}';
let root: string;
let inputs: FastPathInputs;
let file: string;

beforeAll(async () => {
  root = await tempDir('kcl-format');
  file = path.join(root, 'cache', 'default', 'exec-credential');
  await mkdir(path.dirname(file), { recursive: true });
  inputs = {
    args: ['get-credential', '--token-file', path.join(root, 'token'), '--user', 'jean.doe'],
    execInfoRaw: '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}',
    tokenFile: path.join(root, 'token'),
    profileFile: path.join(root, 'profile.json'),
    profileExists: true,
    caFile: path.join(root, 'ca.crt'),
  };
});

/** The watched files, a minute older than the fast path file written next. */
async function writeState(content: string): Promise<void> {
  const past = Date.now() / 1000 - 60;
  for (const f of [inputs.tokenFile, inputs.profileFile, inputs.caFile ?? '']) {
    await writeFile(f, 'x');
    await utimes(f, past, past);
  }
  await rm(path.join(root, 'extra'), { force: true });
  await rm(path.join(root, 'cache', 'default', 'renew.claim'), { force: true });
  await writeFile(file, content, { mode: 0o600 });
}

function rendered(): string {
  const text = renderFastPath(inputs, new Date(Date.now() + 3600_000), credential);
  if (text === undefined) throw new Error('nothing rendered');
  return text;
}

/** The file with one field replaced. */
function withField(name: FastPathField, value: string): string {
  const lines = rendered().split('\n');
  lines[fastPathFormat.fields.findIndex((field) => field.name === name)] = value;
  return lines.join('\n');
}

/** What each reader prints for this request: undefined for a miss. */
async function served(args = inputs.args): Promise<{ sh: string | undefined; ts: string | undefined }> {
  const sh = await new Promise<string | undefined>((resolve) => {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: root,
      KUBE_CSR_LOGIN_CACHE_DIR: path.join(root, 'cache'),
      KUBE_CSR_LOGIN_NODE: '/nonexistent/node',
      KUBERNETES_EXEC_INFO: inputs.execInfoRaw ?? '',
    };
    execFile(launcher, args, { env }, (error, stdout) => resolve(error ? undefined : stdout));
  });
  const ts = answerFromFastPath(await readFile(file, 'utf8'), statSync(file, { bigint: true }).mtimeNs, {
    args,
    execInfoRaw: inputs.execInfoRaw,
    nowMs: Date.now(),
    stat: (f) => {
      const s = statSync(f, { bigint: true, throwIfNoEntry: false });
      return s && { isFile: s.isFile(), mtimeNs: s.mtimeNs };
    },
  });
  return { sh, ts };
}

describe('the launcher reads the declared format', () => {
  const script = () => readFileSync(launcher, 'utf8');
  test('one `read` per field, in the declared order, into the declared variables', () => {
    const reads = [...script().matchAll(/read -r (kcl_\w+)/g)].map((match) => match[1]);
    expect(reads.slice(0, fastPathFormat.fields.length)).toEqual(fastPathFormat.fields.map((field) => field.sh));
  });
  test('the same magic and separator', () => {
    expect(script()).toContain(`[ "$kcl_magic" = ${fastPathFormat.magic} ]`);
    expect(script()).toContain(`kcl_sep='${fastPathFormat.argumentSeparator}'`);
  });
  test('no invisible bytes', () => {
    expect(script()).not.toMatch(/[^\x20-\x7e\n]/);
  });
});

describe('field by field, both readers agree', () => {
  test('a valid file is served, its last field verbatim', async () => {
    await writeState(rendered());
    expect(await served()).toEqual({ sh: `${credential}\n`, ts: `${credential}\n` });
  });

  const past = () => String(Math.floor(Date.now() / 1000) - 5);
  test.each<[string, FastPathField, () => string]>([
    ['the previous format version (v2 held PKCS#8 EC keys)', 'magic', () => 'kube-csr-login-fast-path-v2'],
    ['a deadline passed', 'deadline', past],
    ['a deadline that is not a number', 'deadline', () => 'soon'],
    ['other arguments', 'args', () => inputs.args.join(fastPathFormat.argumentSeparator).replace('jean.doe', 'other.user')],
    ['another KUBERNETES_EXEC_INFO', 'execInfo', () => (inputs.execInfoRaw ?? '').replace('/v1"', '/v1beta1"')],
    ['a token file that does not exist', 'tokenFile', () => path.join(root, 'extra')],
    ['no token file', 'tokenFile', () => ''],
    ['a profile that must not exist but does', 'profileFile', () => `!${inputs.profileFile}`],
    ['a profile file that does not exist', 'profileFile', () => path.join(root, 'extra')],
    ['a CA file that does not exist', 'caFile', () => path.join(root, 'extra')],
  ])('%s (%s) is a miss', async (_name, field, value) => {
    await writeState(withField(field, value()));
    expect(await served()).toEqual({ sh: undefined, ts: undefined });
  });

  test.each<[string, () => string]>([
    ['token', () => inputs.tokenFile],
    ['profile', () => inputs.profileFile],
    ['CA', () => inputs.caFile ?? ''],
  ])('a %s file newer than the fast path file is a miss', async (_name, watched) => {
    await writeState(rendered());
    const future = Date.now() / 1000 + 60;
    await utimes(watched(), future, future);
    expect(await served()).toEqual({ sh: undefined, ts: undefined });
  });

  test('without a CA file and with a profile that must not exist, it is served', async () => {
    const text = renderFastPath(
      { ...inputs, caFile: undefined, profileExists: false, profileFile: path.join(root, 'none.json') },
      new Date(Date.now() + 3600_000),
      credential,
    );
    await writeState(text ?? '');
    expect(await served()).toEqual({ sh: `${credential}\n`, ts: `${credential}\n` });
  });

  test('a file cut before its last newline is a miss', async () => {
    await writeState(rendered().trimEnd());
    expect(await served()).toEqual({ sh: undefined, ts: undefined });
  });

  test('an argument holding the separator is never served, and never written', async () => {
    const args = [...inputs.args, `--groups=a${fastPathFormat.argumentSeparator}b`];
    expect(renderFastPath({ ...inputs, args }, new Date(Date.now() + 3600_000), credential)).toBeUndefined();
    // a file for the arguments split at the separator must not answer the joined one
    const split = renderFastPath({ ...inputs, args: [...inputs.args, '--groups=a', 'b'] }, new Date(Date.now() + 3600_000), credential);
    await writeState(split ?? '');
    expect(await served(args)).toEqual({ sh: undefined, ts: undefined });
  });
});
