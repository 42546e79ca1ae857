// Tiny readers for untrusted JSON: each returns a typed value or throws a plain Error naming the
// field, which callers wrap into a KclError with their own context. No `as T` on external data.

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonObject(text: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
  if (!isRecord(value)) throw new Error(`${what} is not a JSON object`);
  return value;
}

export function record(obj: Json, key: string, what: string): Json {
  const value = obj[key];
  if (!isRecord(value)) throw new Error(`${what}.${key} must be an object`);
  return value;
}

export function optionalRecord(obj: Json, key: string, what: string): Json | undefined {
  return obj[key] === undefined || obj[key] === null ? undefined : record(obj, key, what);
}

export function string(obj: Json, key: string, what: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value === '') throw new Error(`${what}.${key} must be a non-empty string`);
  return value;
}

export function optionalString(obj: Json, key: string, what: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`${what}.${key} must be a string`);
  return value;
}

export function optionalBoolean(obj: Json, key: string, what: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new Error(`${what}.${key} must be a boolean`);
  return value;
}

export function number(obj: Json, key: string, what: string): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${what}.${key} must be a number`);
  return value;
}

export function optionalNumber(obj: Json, key: string, what: string): number | undefined {
  return obj[key] === undefined || obj[key] === null ? undefined : number(obj, key, what);
}

export function stringArray(obj: Json, key: string, what: string): string[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`${what}.${key} must be a list of strings`);
  }
  return value;
}
