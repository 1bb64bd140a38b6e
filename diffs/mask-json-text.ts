/**
 * Masks the values of named keys in JSON text that cannot be parsed because it was cut (a kept body
 * past proxy.diffs.keepBodyBytes). A scan that knows strings from structure: a key in `fields` has its
 * value — a scalar, or a whole object or array — replaced by the mask; a value the cut ends inside is
 * masked to the end. Field names compare case-insensitively.
 */

/** The index just past the string that starts at `i` (a `"`), or text.length if it never ends. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}

/** The index just past the JSON value that starts at `i`, or text.length if the cut ends inside it. */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = stringEnd(text, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        if (--depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  const m = /[,}\]\s]/.exec(text.slice(i));
  return m ? i + m.index : text.length;
}

export function maskJsonText(text: string, fields: ReadonlySet<string>, mask: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '"') continue;
    const end = stringEnd(text, i);
    let name: string;
    try {
      name = JSON.parse(text.slice(i, end)) as string;
    } catch {
      name = text.slice(i + 1, end - 1);
    }
    let j = end;
    while (j < text.length && /\s/.test(text[j]!)) j++;
    if (text[j] === ':' && fields.has(name.toLowerCase())) {
      j++;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      const stop = valueEnd(text, j);
      out += text.slice(from, j) + JSON.stringify(mask);
      from = stop;
      i = stop - 1;
    } else {
      i = end - 1;
    }
  }
  return out + text.slice(from);
}
