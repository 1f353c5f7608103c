/**
 * Readers for provider JSON and SDK objects, which this package treats as untrusted: a field of the
 * wrong type reads as absent instead of throwing or leaking a wrong value onto a span.
 *
 * @module
 */

export type Fields = Readonly<Record<string, unknown>>;

/** `value` as an object whose fields can be read, or `undefined`. */
export function fields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null ? (value as Fields) : undefined;
}

/** `value` when it is a finite number, else `undefined`. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `value` when it is a non-empty string, else `undefined`. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const hosts = new Map<string, string | undefined>();

/** The host of a client's base URL, for `server.address` (parsed once per base URL: every call asks). */
export function hostOf(baseURL: unknown): string | undefined {
  if (typeof baseURL !== 'string') return undefined;
  if (hosts.has(baseURL)) return hosts.get(baseURL);
  let host: string | undefined;
  try {
    host = new URL(baseURL).hostname.replace(/^\[(.*)\]$/, '$1') || undefined;
  } catch {
    host = undefined;
  }
  // Base URLs are few (one per client configuration); the bound only guards against misuse.
  if (hosts.size >= 256) hosts.clear();
  hosts.set(baseURL, host);
  return host;
}

/** `value[key]` when `value` is an object or a function (a class, a module namespace), else `undefined`. */
export function member(value: unknown, key: string): unknown {
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
    ? (value as Fields)[key]
    : undefined;
}

/** Characters of text in `content`: a string, or an array of parts of which `text` counts. */
export function textChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  for (const part of content) {
    const t = fields(part)?.['text'];
    if (typeof t === 'string') chars += t.length;
  }
  return chars;
}
