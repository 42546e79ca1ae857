// The benchmark's output: a readable table, then (with --json) one JSON line.
export interface Row {
  figure: string;
  ours: number | null;
  reference: number | null;
  target: number | null;
  unit: string;
  note?: string;
}

export function ratio(row: Row): number | null {
  if (row.ours === null || row.reference === null || row.reference === 0) return null;
  return row.ours / row.reference;
}

function fmt(value: number | null, digits = 2): string {
  return value === null ? '-' : value.toFixed(digits);
}

export function table(rows: Row[]): string {
  const header = ['figure', 'ours', 'reference', 'ratio', 'target', 'result'];
  const body = rows.map((row) => {
    const r = ratio(row);
    const result = r === null || row.target === null ? 'n/a' : r <= row.target ? 'PASS' : 'FAIL';
    return [row.figure, `${fmt(row.ours)} ${row.unit}`, `${fmt(row.reference)} ${row.unit}`, fmt(r, 3), row.target === null ? '-' : `<= ${row.target}`, result + (row.note ? `  (${row.note})` : '')];
  });
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
