// A client process that answers one JSON line per line it is sent (whoami.py, whoami-client-node,
// test/clients/*): who the API server says we are, or {status, error} when the request was refused.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

interface Whoami {
  username: string;
  groups: string[];
  credentialId: string;
}

/** A request the client made and the API server (or the client itself) refused. */
export interface Refusal {
  /** The HTTP status, when the client got one (401: the certificate is no longer accepted). */
  status: number | undefined;
  error: string;
}

export interface LineClient {
  /** One request, which must succeed. */
  ask(): Promise<Whoami>;
  /** One request, succeeded or refused. */
  answer(): Promise<Whoami | Refusal>;
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
  const client: LineClient = {
    async ask() {
      const answer = await client.answer();
      if ('error' in answer)
        throw new Error(`${command} ${args.join(' ')}: request refused (${answer.status ?? 'no status'}): ${answer.error}`);
      return answer;
    },
    async answer() {
      child.stdin.write('\n');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 180_000)));
      const next = await Promise.race([lines.next(), exit.then(() => undefined), timeout]);
      clearTimeout(timer);
      if (!next || next.done) {
        // a late answer would be taken for the next request's: this client answers no more
        child.kill('SIGKILL');
        throw new Error(`${path.basename(command)} gave no answer; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      }
      const doc: unknown = JSON.parse(next.value);
      if (typeof doc !== 'object' || doc === null) throw new Error(`not an object: ${next.value}`);
      const { username, groups, credentialId, status, error } = doc as Record<string, unknown>;
      if (typeof error === 'string') return { status: typeof status === 'number' ? status : undefined, error };
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
  return client;
}
