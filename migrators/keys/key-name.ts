/**
 * Key names for composite (and non-integer) primary keys: the column values joined with ':'.
 * A ':' or '\' inside a value is escaped with '\', so `a:b` + `c` and `a` + `b:c` stay distinct
 * (`a\:b:c` vs `a:b\:c`) and the name decodes back to its parts.
 */

export function escapeKeyPart(part: string): string {
  return part.replace(/[\\:]/g, (c) => `\\${c}`);
}

export function encodeKeyName(parts: readonly string[]): string {
  return parts.map(escapeKeyPart).join(':');
}

export function decodeKeyName(name: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && i + 1 < name.length) current += name[++i];
    else if (c === ':') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** One primary-key value as text: binary keys (BINARY(16) UUIDs…) as lower-case hex. */
export function keyPartText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}
