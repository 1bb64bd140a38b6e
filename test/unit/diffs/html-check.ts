/**
 * A small well-formedness check for the HTML report (no HTML parser is a dependency): every tag
 * closes in order, void elements aside; and the text of each summary-table row.
 */
const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);

export function parseWellFormed(html: string): { ok: true } | { ok: false; error: string } {
  const stack: string[] = [];
  const tags = html.replace(/<!DOCTYPE[^>]*>/i, '').matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*?)(\/?)>/g);
  for (const m of tags) {
    const [, closing, rawName, attrs, selfClosing] = m;
    const name = rawName!.toLowerCase();
    if (/[<"]/.test(attrs!.replace(/"[^"]*"/g, ''))) return { ok: false, error: `bad attributes in <${name}${attrs}>` };
    if (closing) {
      const open = stack.pop();
      if (open !== name) return { ok: false, error: `</${name}> closes <${open}>` };
    } else if (!selfClosing && !VOID.has(name)) stack.push(name);
  }
  if (stack.length > 0) return { ok: false, error: `unclosed: ${stack.join(' > ')}` };
  // Outside tags no raw "<" may remain (escaped text).
  if (/<(?![a-zA-Z/!])/.test(html)) return { ok: false, error: 'unescaped "<" in text' };
  return { ok: true };
}

function text(s: string): string {
  return s
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** The cells of each body row of the table with this id. */
export function tableRows(html: string, id: string): string[][] {
  const table = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => text(c[1]!)));
}
