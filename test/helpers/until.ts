// Waiting on a condition instead of a fixed sleep: a test states what it waits for, goes on as soon
// as it holds, and fails with that name (not a later, puzzling assertion) when it never does.
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, pollMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
