// The work queue: one CSR name is never handled twice at once, duplicates collapse, and a name
// added while it is being handled runs exactly once more afterwards.
import { expect, test } from '@jest/globals';
import { WorkQueue } from '../../../src/approver/work-queue.js';
import { until } from '../../helpers/until.js';

function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

test('a name queued many times while waiting is handled once', async () => {
  const queue = new WorkQueue();
  const handled: string[] = [];
  for (let i = 0; i < 5; i += 1) queue.add('a');
  queue.add('b');
  const running = queue.run(3, async (name) => {
    handled.push(name);
    if (handled.length === 2) queue.close();
  });
  await running;
  expect(handled.sort()).toEqual(['a', 'b']);
});

test('never concurrently for one name; a re-add during handling runs once more', async () => {
  const queue = new WorkQueue();
  const first = gate();
  const inFlight = new Set<string>();
  const handled: string[] = [];
  let overlap = false;
  const running = queue.run(4, async (name) => {
    if (inFlight.has(name)) overlap = true;
    inFlight.add(name);
    handled.push(name);
    if (handled.length === 1) await first.opened;
    inFlight.delete(name);
    if (handled.length === 3) queue.close();
  });
  queue.add('a');
  await until(() => handled.length === 1, "'a' to be in progress");
  // 'a' is in progress: three more adds while it runs, and another name
  queue.add('a');
  queue.add('a');
  queue.add('a');
  queue.add('b');
  await until(() => handled.includes('b'), "'b' to be handled beside 'a'");
  expect(handled).toEqual(['a', 'b']);
  first.open();
  await running;
  expect(handled).toEqual(['a', 'b', 'a']);
  expect(overlap).toBe(false);
});

test('close wakes idle workers and ignores later adds', async () => {
  const queue = new WorkQueue();
  const handled: string[] = [];
  const running = queue.run(2, async (name) => void handled.push(name));
  queue.close();
  queue.add('late');
  await running;
  expect(handled).toEqual([]);
});
