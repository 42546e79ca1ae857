// Runs a command under a pseudo-terminal (util-linux `script`), as a person at a terminal would, and
// types answers when the screen shows the prompts expected. Bounded in time; returns the whole
// transcript (what the terminal showed) and the exit code.
import { spawn } from 'node:child_process';

export interface Answer {
  after: RegExp;
  type: string;
}

export interface PtyRun {
  code: number;
  transcript: string;
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_./=:@,+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function runInPty(command: string[], env: NodeJS.ProcessEnv, answers: Answer[], timeoutMs = 120_000): Promise<PtyRun> {
  return new Promise((resolve) => {
    // -e: script exits with the command's code; -q: no banner; /dev/null: no typescript file
    const child = spawn('script', ['-qec', command.map(quote).join(' '), '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let transcript = '';
    let seen = 0; // the transcript before this offset has answered its prompt already
    const pending = [...answers];
    const onData = (chunk: Buffer) => {
      transcript += chunk.toString('utf8');
      const next = pending[0];
      const match = next && next.after.exec(transcript.slice(seen));
      if (next && match) {
        pending.shift();
        seen += match.index + match[0].length;
        child.stdin.write(`${next.type}\r`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, transcript });
    });
  });
}
