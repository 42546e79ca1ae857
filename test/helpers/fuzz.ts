// Seeded generators for fuzz tests: the same seed gives the same cases on every run.
import type { CapturedEdge } from './edge.js';

export type Random = () => number;

/** mulberry32: small, fast, good enough to drive input generation. */
export function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const fragments = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ':',
  ',',
  'null',
  'true',
  '1e999',
  '-0',
  '"\\u0000"',
  '\n',
  '"apiVersion"',
  '"kind"',
  '"spec"',
  '"cluster"',
  '"server"',
  'ExecCredential',
  '"client.authentication.k8s.io/v1"',
  '\u00ff',
  '\\',
  '💥',
];

export function randomText(random: Random, maxLength = 64): string {
  let text = '';
  const length = Math.floor(random() * maxLength);
  while (text.length < length) text += random() < 0.5 ? pick(random, fragments) : String.fromCharCode(Math.floor(random() * 0x300));
  return text;
}

/** Flips, deletes or inserts a few characters of a valid document. */
export function mutate(random: Random, text: string): string {
  const chars = [...text];
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits && chars.length > 0; i += 1) {
    const at = Math.floor(random() * chars.length);
    const op = random();
    if (op < 0.33) chars.splice(at, 1);
    else if (op < 0.66) chars.splice(at, 0, pick(random, fragments));
    else chars[at] = String.fromCharCode(Math.floor(random() * 128));
  }
  return chars.join('');
}

/** The CLI contract: exit 0 with one JSON document, or non-zero with one stderr line and no stdout. */
export function contractViolation(code: number, edge: CapturedEdge): string | undefined {
  const stdout = edge.out.join('');
  const stderr = edge.err.join('');
  if (code === 0) {
    try {
      JSON.parse(stdout);
    } catch {
      return `exit 0 without one JSON document on stdout: ${stdout.slice(0, 100)}`;
    }
    return undefined;
  }
  if (stdout !== '') return `exit ${code} with stdout: ${stdout.slice(0, 100)}`;
  if (!/^kube-csr-login: [^\n]+\n$/.test(stderr)) return `exit ${code} without exactly one stderr line: ${stderr.slice(0, 200)}`;
  if (/\n\s+at /.test(stderr) || /internal error/.test(stderr)) return `exit ${code} with an internal error: ${stderr.slice(0, 200)}`;
  return undefined;
}
