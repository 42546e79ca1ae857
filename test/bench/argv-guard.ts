// Watches every process's argv (/proc/<pid>/cmdline) for secrets while a benchmark step runs:
// tokens must travel in files and kubeconfigs, never on a command line another user can read.
import { readdir, readFile } from 'node:fs/promises';

export interface ArgvGuard {
  stop(): Promise<{ samples: number; leaks: string[] }>;
}

async function scan(secrets: string[], leaks: Set<string>): Promise<void> {
  for (const pid of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const argv = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    for (const secret of secrets) if (argv.includes(secret)) leaks.add(`pid ${pid}: ${argv.split('\0')[0] ?? '?'}`);
  }
}

/** Samples all argvs every intervalMs for any of the secrets (use a distinctive slice of each). */
export function guardArgv(secrets: string[], intervalMs = 25): ArgvGuard {
  const probes = secrets.filter((s) => s.length >= 16).map((s) => s.slice(s.length - 24));
  const leaks = new Set<string>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      await scan(probes, leaks);
      samples += 1;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { samples, leaks: [...leaks] };
    },
  };
}
