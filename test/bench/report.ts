// The benchmark's output: a readable table (figure, ours, reference, ratio, target, result), then
// with --json one JSON line naming every figure and ratio.
interface Target {
  /** lower: ratio <= value passes (times, memory); higher: ratio >= value; equal: ours == value. */
  kind: 'lower' | 'higher' | 'equal';
  value: number;
}

export interface Row {
  figure: string;
  ours: number | null;
  reference: number | null;
  unit: string;
  target: Target | null;
  note?: string;
}

export function ratio(row: Row): number | null {
  if (row.ours === null || row.reference === null || row.reference === 0) return null;
  return row.ours / row.reference;
}

export function verdict(row: Row): 'PASS' | 'FAIL' | 'n/a' {
  if (!row.target) return 'n/a';
  const measured = row.target.kind === 'equal' ? row.ours : ratio(row);
  if (measured === null) return 'FAIL';
  if (row.target.kind === 'lower') return measured <= row.target.value ? 'PASS' : 'FAIL';
  if (row.target.kind === 'higher') return measured >= row.target.value ? 'PASS' : 'FAIL';
  return measured === row.target.value ? 'PASS' : 'FAIL';
}

function fmt(value: number | null, unit = ''): string {
  if (value === null) return '-';
  if (!unit && Number.isInteger(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

function targetText(target: Target | null): string {
  if (!target) return '-';
  return `${target.kind === 'lower' ? '<=' : target.kind === 'higher' ? '>=' : '=='} ${target.value}`;
}

export function table(rows: Row[]): string {
  const header = ['figure', 'ours', 'reference', 'ratio', 'target', 'result'];
  const body = rows.map((row) => {
    const r = row.target?.kind === 'equal' ? null : ratio(row);
    return [
      row.figure,
      fmt(row.ours, row.unit),
      fmt(row.reference, row.unit),
      r === null ? '-' : r.toFixed(3),
      targetText(row.target),
      verdict(row) + (row.note ? `  ${row.note}` : ''),
    ];
  });
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
