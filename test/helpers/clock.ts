// The tests' clock: fixed, moved only by the test (set, advance) or by a sleep it fakes, so a test
// about expiry decides what time it is instead of racing the wall clock.
export interface TestClock {
  now: () => Date;
  set: (at: Date) => void;
  advance: (ms: number) => void;
}

/** An arbitrary fixed instant, far from any real certificate's validity. */
export const testEpoch = new Date('2031-03-14T09:00:00Z');

export function testClock(start: Date = testEpoch): TestClock {
  let ms = start.getTime();
  return {
    now: () => new Date(ms),
    set: (at) => void (ms = at.getTime()),
    advance: (delta) => void (ms += delta),
  };
}
