// A real Secret Service for the keyring tests: gnome-keyring-daemon on a D-Bus session bus of the
// test's own (dbus-daemon --session --fork), its login keyring created and unlocked with a password
// on stdin, all under a temp HOME. Installs the Debian packages when missing (the suite runs as
// root); fails, never skips, when it cannot.
import { execFile, execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { run } from './cluster.js';

const packages = ['dbus', 'dbus-daemon', 'gnome-keyring'];

function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function ensureSecretServicePackages(): Promise<void> {
  if (installed('dbus-daemon') && installed('gnome-keyring-daemon')) return;
  const update = await run('apt-get', ['update', '-qq'], { timeoutMs: 300_000 });
  const install = await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    env: { DEBIAN_FRONTEND: 'noninteractive' },
    timeoutMs: 600_000,
  });
  if (update.code !== 0 || install.code !== 0 || !installed('gnome-keyring-daemon')) {
    throw new Error(
      `the keyring tests need ${packages.join(', ')} (apt-get install failed: ${(install.stderr || update.stderr).trim().split('\n').at(-1)})`,
    );
  }
}

export interface SecretService {
  /** What a process needs to reach it: the bus address and the home the daemons run in. */
  env: Record<string, string>;
  stop: () => void;
}

export async function startSecretService(dir: string): Promise<SecretService> {
  const home = path.join(dir, 'keyring-home');
  const runtime = path.join(dir, 'keyring-run');
  await mkdir(path.join(home, '.local', 'share'), { recursive: true });
  await mkdir(runtime, { recursive: true, mode: 0o700 });
  const base = { HOME: home, XDG_DATA_HOME: path.join(home, '.local', 'share'), XDG_RUNTIME_DIR: runtime };
  const bus = await run('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1'], { env: base, timeoutMs: 10_000 });
  const [address, pid] = bus.stdout.trim().split('\n');
  if (bus.code !== 0 || !address || !pid || !/^\d+$/.test(pid)) throw new Error(`dbus-daemon did not start: ${bus.stderr.trim()}`);
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address };
  const stop = () => {
    try {
      process.kill(Number(pid)); // gnome-keyring-daemon leaves with its bus
    } catch {
      // already gone
    }
  };
  // --unlock reads the login keyring's password on stdin, creating the keyring the first time
  const keyring = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const child = execFile(
      'gnome-keyring-daemon',
      ['--unlock', '--components=secrets'],
      { env: { ...process.env, ...env }, timeout: 15_000 },
      (error, _out, stderr) => resolve({ code: error ? 1 : 0, stderr }),
    );
    child.stdin?.end('keyring-test-password');
  });
  if (keyring.code !== 0) {
    stop();
    throw new Error(`gnome-keyring-daemon did not start: ${keyring.stderr.trim()}`);
  }
  return { env, stop };
}
