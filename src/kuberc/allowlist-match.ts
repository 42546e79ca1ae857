// client-go's allowlist check (plugin/pkg/client/auth/exec, checkAllowlistLocked), run before every
// start of a credential plugin under credentialPluginPolicy: Allowlist. The command as kubectl runs it
// (cleaned; a bare name looked up in PATH) must equal an entry verbatim, or equal what LookPath makes
// of an entry with the same basename. Only the command counts, never the arguments.
import { type LookPathEnv, goBase, goClean, lookPath } from './go-path.js';

export type MatchResult = { allowed: true; by: string } | { allowed: false; reason: string };

export async function matchAllowlist(entries: readonly string[], command: string, env: LookPathEnv): Promise<MatchResult> {
  const listed = new Set(entries.filter((entry) => entry !== ''));
  const cleaned = goClean(command, env.platform);
  // exec.Command looks a bare name up at once; a path is taken as it is
  const started = goBase(cleaned, env.platform) === cleaned ? await lookPath(cleaned, env) : undefined;
  const cmdPath = started?.path ?? cleaned;
  if (listed.has(cleaned)) return { allowed: true, by: cleaned };
  if (listed.has(cmdPath)) return { allowed: true, by: cmdPath };
  const resolved = cmdPath !== cleaned ? started : await lookPath(cmdPath, env);
  if (resolved?.error !== undefined || resolved?.path === undefined) {
    return { allowed: false, reason: `kubectl cannot resolve the plugin command ${cmdPath} (${resolved?.error ?? 'not found'})` };
  }
  const target = resolved.path;
  if (listed.has(target)) return { allowed: true, by: target };
  const hint = goBase(target, env.platform);
  for (const entry of listed) {
    if (goBase(entry, env.platform) !== hint) continue;
    const found = await lookPath(entry, env);
    if (found.error === undefined && found.path === target) return { allowed: true, by: entry };
  }
  return { allowed: false, reason: `${cmdPath} is not in credentialPluginAllowlist` };
}
