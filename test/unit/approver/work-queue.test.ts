import { expect, test } from '@jest/globals';
import { WorkQueue } from '../../../src/approver/work-queue.js';

test('a name is never handled twice at once, and a re-add during handling runs once more', async () => {
  const queue = new WorkQueue();
  let concurrent = 0;
  let maxConcurrent = 0;
  const handled: string[] = [];
  let stop = false;
  const handle = async (name: string) => {
    concurrent += 1;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    handled.push(name);
    if (handled.length === 1) {
      queue.add('a');
      queue.add('a');
    }
    await new Promise((r) => setTimeout(r, 20));
    concurrent -= 1;
    if (handled.length >= 3) stop = true;
  };
  queue.add('a');
  queue.add('b');
  await queue.run(4, handle, () => stop);
  expect(maxConcurrent).toBeLessThanOrEqual(2);
  expect(handled.filter((n) => n === 'a')).toHaveLength(2);
  expect(handled.filter((n) => n === 'b')).toHaveLength(1);
});
