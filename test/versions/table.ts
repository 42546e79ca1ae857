// test/versions/LAST-RUN.md: one row per (server, kubectl) pair of the version matrix. A run of some
// versions replaces their rows and keeps the others, so the table always shows the last result of each.
// The same rows go between the markers in docs/versions.md, which shows them.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/cluster.js';

export interface MatrixRow {
  server: string;
  kubectl: string;
  files: string[];
  ok: boolean;
  passed: number;
  total: number;
  seconds: number;
  date: Date;
}

const file = path.join(repoRoot, 'test/versions/LAST-RUN.md');
const docs = path.join(repoRoot, 'docs/versions.md');
const markers = /(<!-- matrix:start -->\n)[\s\S]*?(<!-- matrix:end -->)/;
const header = [
  '| server | kubectl | result | tests passed | time | date | e2e files |',
  '| ------ | ------- | ------ | ------------ | ---- | ---- | --------- |',
];

function line(row: MatrixRow): string {
  const time = `${Math.floor(row.seconds / 60)}m${String(row.seconds % 60).padStart(2, '0')}s`;
  const cells = [
    row.server,
    row.kubectl,
    row.ok ? 'pass' : 'FAIL',
    `${row.passed}/${row.total}`,
    time,
    row.date.toISOString().slice(0, 10),
  ];
  return `| ${[...cells, row.files.join(', ')].join(' | ')} |`;
}

const key = (text: string) =>
  text
    .split('|')
    .slice(1, 3)
    .map((cell) => cell.trim())
    .join(' ');
const versionOrder = (text: string) => key(text).replace(/\d+/g, (digits) => digits.padStart(4, '0'));

export function writeTable(rows: MatrixRow[]): void {
  let kept: string[] = [];
  try {
    kept = readFileSync(file, 'utf8')
      .split('\n')
      .filter((text) => /^\| v\d/.test(text));
  } catch {
    // no table yet
  }
  const fresh = rows.map(line);
  const replaced = new Set(fresh.map(key));
  const body = [...kept.filter((text) => !replaced.has(key(text))), ...fresh].sort((a, b) =>
    versionOrder(a).localeCompare(versionOrder(b)),
  );
  const text = [
    '# Version matrix: last run',
    '',
    'Written by `npm run test:versions` (test/versions/matrix.ts; see docs/versions.md). Each row: the e2e',
    'files run against a control plane of that server version, with that kubectl for every kubectl call.',
    `Last written on ${os.cpus().length} CPUs, Node ${process.version}.`,
    '',
    ...header,
    ...body,
    '',
  ].join('\n');
  writeFileSync(file, text);
  // the repo's formatting (npm run lint checks test/ with prettier); docs/ gets the same table as is
  spawnSync(path.join(repoRoot, 'node_modules/.bin/prettier'), ['--log-level', 'warn', '--write', file], { stdio: 'inherit' });
  const page = readFileSync(docs, 'utf8');
  if (!markers.test(page)) throw new Error('docs/versions.md lacks the matrix:start/matrix:end markers');
  writeFileSync(
    docs,
    page.replace(markers, (_, start: string, end: string) => `${start}${[...header, ...body].join('\n')}\n${end}`),
  );
}
