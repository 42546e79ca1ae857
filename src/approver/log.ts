// The approver's log sink: one line per call on stderr. Text lines are timestamped with control
// characters escaped (escape.ts), so a CSR name or subject value cannot forge or break a line; JSON
// lines ({"time","msg",...fields}) carry the same text and, for decisions, the fields a log pipeline
// filters on (csr, requester, decision, reason).
import { escapeControl } from './escape.js';

type LogFields = Record<string, string | number | boolean>;
export type Log = (line: string, fields?: LogFields) => void;
export type LogFormat = 'text' | 'json';

export function createLog(write: (text: string) => void, now: () => Date, format: LogFormat = 'text'): Log {
  if (format === 'json') return (line, fields) => write(`${JSON.stringify({ time: now().toISOString(), msg: line, ...fields })}\n`);
  return (line) => write(`${now().toISOString()} approver: ${escapeControl(line)}\n`);
}
