// Writes to stdout with write(2) on fd 1. kubectl reads us through a pipe, and touching
// process.stdout on a pipe builds a net.Socket (loading node:net and node:stream): ~6 ms, a
// seventh of a cache hit. A descriptor that is non-blocking (EAGAIN) or failing gets the rest
// through process.stdout, which queues and reports as Node always does.
import { writeSync } from 'node:fs';

export function writeStdout(text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(1, bytes, offset);
  } catch {
    process.stdout.write(bytes.subarray(offset));
  }
}
