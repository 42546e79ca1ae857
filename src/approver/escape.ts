// Text the approver writes (log lines, Event and condition messages) quotes values chosen by users:
// CSR names, subject CN/O, group names. Control characters in them must not start a new log line or
// rewrite a terminal, and bidi overrides must not make one name look like another, so every such
// character is written as an escape. Backslashes are doubled so an escape cannot be forged either.
const unsafe = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;
const short: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeControl(text: string): string {
  return text.replace(unsafe, (char) => short[char] ?? `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}
