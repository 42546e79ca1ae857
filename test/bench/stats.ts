// Small timing helpers for the benchmark: wall time of one process, medians, peak RSS.
import { spawn } from 'node:child_process';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one process to completion and returns its wall time in ms. */
export function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code: code ?? 1, stdout, stderr }));
  });
}

/** Peak RSS in KiB of one process, via /usr/bin/time -f %M (last stderr line). */
export async function peakKiB(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const result = await timed('/usr/bin/time', ['-f', '%M', command, ...args], env);
  const lines = result.stderr.trim().split('\n');
  return Number(lines[lines.length - 1]);
}

/** Interleaves A B A B ... n times each; returns the medians and all samples. */
export async function interleave(
  n: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<{ a: number; b: number; as: number[]; bs: number[] }> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < n; i += 1) {
    as.push(await a());
    bs.push(await b());
  }
  return { a: median(as), b: median(bs), as, bs };
}
