// How times are written for people and for the API: RFC 3339 in UTC with whole seconds (what the API
// server writes and kubectl shows), and durations relative to now ("in 41m", "expired 3h ago").

/** 2030-01-01T10:00:00Z: RFC 3339, UTC, whole seconds. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "in 41m" / "expired 3h ago": `future` or `past` (then "ago") with the distance from now. */
export function relativeTime(at: Date, now: Date, future: string, past: string): string {
  const ms = at.getTime() - now.getTime();
  return ms > 0 ? `${future} ${formatDuration(ms)}` : `${past} ${formatDuration(-ms)} ago`;
}

/** The two largest units, rounded down; seconds only under a minute: 45s, 41m, 3h, 3h 5m, 2d 4h. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const units: [string, number][] = [
    ['d', Math.floor(seconds / 86_400)],
    ['h', Math.floor(seconds / 3600) % 24],
    ['m', Math.floor(seconds / 60) % 60],
  ];
  const first = units.findIndex(([, value]) => value > 0);
  return units
    .slice(first, first + 2)
    .filter(([, value]) => value > 0)
    .map(([unit, value]) => `${value}${unit}`)
    .join(' ');
}
