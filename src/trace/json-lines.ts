// Reads JSON lines from a byte stream with a bound on each line: a longer line is skipped (not held
// in memory) and reported with its number, as is a line that is not a JSON object. Blank lines are
// ignored. The stream is never read whole into memory.
import { StringDecoder } from 'node:string_decoder';
import { type Json, isRecord } from '../util/validate.js';

export interface LineProblem {
  line: number;
  problem: string;
}

const maxLineChars = 1024 * 1024;

export async function readJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  onObject: (object: Json, line: number) => void,
  onProblem: (problem: LineProblem) => void,
): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let line = 0;
  let pending = '';
  let oversized = false;
  const finish = (text: string) => {
    line += 1;
    if (oversized || text.length > maxLineChars) onProblem({ line, problem: `longer than ${maxLineChars} characters: skipped` });
    else if (text.trim() !== '') parseLine(text, line, onObject, onProblem);
    oversized = false;
  };
  for await (const chunk of chunks) {
    const parts = decoder.write(Buffer.from(chunk)).split('\n');
    const last = parts.pop() ?? '';
    for (const part of parts) {
      finish(pending + part);
      pending = '';
    }
    if (!oversized) pending += last;
    if (pending.length > maxLineChars) {
      oversized = true;
      pending = '';
    }
  }
  const rest = pending + decoder.end();
  if (rest !== '' || oversized) finish(rest);
  return line;
}

function parseLine(text: string, line: number, onObject: (object: Json, line: number) => void, onProblem: (p: LineProblem) => void) {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    onProblem({ line, problem: 'not JSON' });
    return;
  }
  if (isRecord(value)) onObject(value, line);
  else onProblem({ line, problem: 'not a JSON object' });
}
