// The approver's log sink: one line per call on stderr, timestamped, with control characters escaped
// (escape.ts) so that a CSR name or subject value cannot forge or break a line.
import { escapeControl } from './escape.js';

export type Log = (line: string) => void;

export function createLog(write: (text: string) => void, now: () => Date): Log {
  return (line) => write(`${now().toISOString()} approver: ${escapeControl(line)}\n`);
}
