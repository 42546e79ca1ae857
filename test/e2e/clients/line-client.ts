// A client process that answers one JSON line per line it is sent (whoami.py, whoami-client-node).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

interface Whoami {
  username: string;
  groups: string[];
  credentialId: string;
}

export interface LineClient {
  ask(): Promise<Whoami>;
  close(): Promise<void>;
}

export function startLineClient(command: string, args: string[], env: Record<string, string>): LineClient {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async ask() {
      child.stdin.write('\n');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 60_000)));
      const next = await Promise.race([lines.next(), exit.then(() => undefined), timeout]);
      clearTimeout(timer);
      if (!next || next.done) throw new Error(`${command} ${args.join(' ')} gave no answer; stderr: ${stderr}`);
      const doc: unknown = JSON.parse(next.value);
      if (typeof doc !== 'object' || doc === null) throw new Error(`not an object: ${next.value}`);
      const { username, groups, credentialId } = doc as Record<string, unknown>;
      if (typeof username !== 'string' || !Array.isArray(groups) || typeof credentialId !== 'string')
        throw new Error(`unexpected answer: ${next.value}`);
      return { username, groups: groups.map(String), credentialId };
    },
    async close() {
      child.stdin.end();
      const code = await exit;
      if (code !== 0) throw new Error(`${command} exited ${code}; stderr: ${stderr}`);
    },
  };
}
