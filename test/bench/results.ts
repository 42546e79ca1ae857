// What the benchmark collects while it runs: table rows, raw figures (named for the JSON line),
// notes (what was not measured and why, caveats), and progress logging on stderr.
import type { Row } from './report.js';

export interface Results {
  rows: Row[];
  raw: Record<string, number | null>;
  notes: string[];
}

export const results: Results = { rows: [], raw: {}, notes: [] };

export const log = (line: string): void => {
  process.stderr.write(`bench ${new Date().toISOString().slice(11, 19)}: ${line}\n`);
};

/** Runs one part; a failure becomes a note and the benchmark goes on. */
export async function section(name: string, body: () => Promise<void>): Promise<void> {
  log(`== ${name}`);
  const start = performance.now();
  try {
    await body();
  } catch (error) {
    results.notes.push(`${name}: not measured: ${(error as Error).message.split('\n')[0]}`);
    log(`${name} failed: ${(error as Error).stack}`);
  }
  log(`${name}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
