import { compareAnswers } from '../../../diffs/engine.js';
import { excerptPair } from '../../../diffs/excerpt.js';
import { MAX_DIFFERENCES } from '../../../diffs/markup-diff.js';
import { genericPath } from '../../../diffs/pointer.js';
import { writeSuspect } from '../../../diffs/write-suspect.js';
import { pathTemplate, requestTemplate } from '../../../core/path-template.js';
import { raw, rules } from './helpers.js';

const html = (body: string) => raw(`<!DOCTYPE html><html><head><title>Blog</title></head><body>${body}</body></html>`, 'text/html; charset=UTF-8');
const diff = (a: string, b: string) => compareAnswers(html(a), html(b), rules()).differences;

describe('HTML compared by structure', () => {
  test('whitespace and attribute order do not count; a changed word is located at its element', () => {
    expect(diff('<h1 id="t" class="a b">Legacy   Blog</h1><img src="x" alt="y">', '<h1 class="b a" id="t">Legacy\n Blog</h1>\n<img alt="y" src="x" />')).toEqual([]);
    expect(diff('<header><h1 id="site-title">Legacy Blog</h1></header>', '<header><h1 id="site-title">Broken Blog</h1></header>')).toEqual([
      { path: 'html>body>header>h1#site-title/#text', kind: 'changed', legacy: 'Legacy Blog', new: 'Broken Blog' },
    ]);
  });

  test('attributes: changed, missing, extra, each at its own path', () => {
    expect(diff('<img class="avatar" src="https://a1.cdn/u.png" title="me">', '<img class="avatar" src="https://a3.cdn/u.png" data-x="1">')).toEqual([
      { path: 'html>body>img.avatar@data-x', kind: 'extra', new: '1' },
      { path: 'html>body>img.avatar@src', kind: 'changed', legacy: 'https://a1.cdn/u.png', new: 'https://a3.cdn/u.png' },
      { path: 'html>body>img.avatar@title', kind: 'missing', legacy: 'me' },
    ]);
  });

  test('an inserted element is one extra, not a shift of its siblings; siblings of a kind are ranked', () => {
    const d = diff('<ul><li>a</li><li>b</li><li>c</li></ul>', '<ul><li>a</li><li>b</li><p>new</p><li>c</li></ul>');
    expect(d).toEqual([{ path: 'html>body>ul>p', kind: 'extra', new: '<p>new</p>' }]);
    const e = diff('<ul><li>a</li><li>b</li></ul>', '<ul><li>a</li><li>B</li></ul>');
    expect(e).toEqual([{ path: 'html>body>ul>li[2]/#text', kind: 'changed', legacy: 'b', new: 'B' }]);
    expect(genericPath(e[0]!.path)).toBe('html>body>ul>li/#text');
    expect(genericPath('html>body>article#post-12>h2/#text[2]')).toBe('html>body>article#post-*>h2/#text');
  });

  test('script and style are compared as text per element; comments are not compared', () => {
    const d = diff('<script>var n="a1";</script><script>ok()</script><style>p{color:red}</style><!-- 0.01s -->', '<script>var n="b2";</script><script>ok()</script><style>p{color:blue}</style><!-- 0.02s -->');
    expect(d).toEqual([
      { path: 'html>body>script[1]/#text', kind: 'changed', legacy: 'var n="a1";', new: 'var n="b2";' },
      { path: 'html>body>style/#text', kind: 'changed', legacy: 'p{color:red}', new: 'p{color:blue}' },
    ]);
  });

  test('every difference of a page is kept, each with its own bounded excerpt; past the bound they are counted', () => {
    const long = 'lorem ipsum '.repeat(100);
    const d = diff(`<p>${long}first</p><p>${long}second</p>`, `<p>${long}FIRST</p><p>${long}SECOND</p>`);
    expect(d).toHaveLength(2);
    expect(String(d[0]!.legacy)).toMatch(/^….*first$/);
    expect(String(d[1]!.new)).toMatch(/^….*SECOND$/);
    for (const x of d) expect(String(x.legacy).length).toBeLessThanOrEqual(202);
    const many = (w: string) => Array.from({ length: MAX_DIFFERENCES + 5 }, (_, i) => `<p>${w}${i}</p>`).join('');
    const outcome = compareAnswers(html(many('a')), html(many('b')), rules());
    expect(outcome.differences).toHaveLength(MAX_DIFFERENCES);
    expect(outcome.omitted).toBe(5);
  });

  test('XML is compared by structure too, case-sensitive, CDATA as text', () => {
    const xml = (s: string) => raw(`<?xml version="1.0"?><rss><channel><title>T</title>${s}</channel></rss>`, 'application/rss+xml');
    const d = compareAnswers(xml('<item><guid isPermaLink="false">1</guid><description><![CDATA[<b>x</b>]]></description></item>'), xml('<item><guid isPermaLink="true">1</guid><description><![CDATA[<b>y</b>]]></description></item>'), rules()).differences;
    expect(d).toEqual([
      { path: 'rss>channel>item>guid@isPermaLink', kind: 'changed', legacy: 'false', new: 'true' },
      { path: 'rss>channel>item>description/#text', kind: 'changed', legacy: '<b>x</b>', new: '<b>y</b>' },
    ]);
  });
});

describe('excerpts, templates, write suspects', () => {
  test('an excerpt keeps context around the differing part', () => {
    const a = 'x'.repeat(500) + 'AAA' + 'y'.repeat(500);
    const b = 'x'.repeat(500) + 'BBB' + 'y'.repeat(500);
    const [ea, eb] = excerptPair(a, b);
    expect(ea).toBe('…' + 'x'.repeat(40) + 'AAA' + 'y'.repeat(40) + '…');
    expect(eb).toBe('…' + 'x'.repeat(40) + 'BBB' + 'y'.repeat(40) + '…');
    expect(excerptPair('short', 'other')).toEqual(['short', 'other']);
  });

  test('request path templates leave out numbers, opaque ids and query values', () => {
    expect(pathTemplate('/post/12?lang=en&p=3')).toBe('/post/:n?lang&p');
    expect(pathTemplate('/u/3f2504e0-4f89-11d3-9a0c-0305e82c3301/edit')).toBe('/u/:id/edit');
    expect(pathTemplate('/about')).toBe('/about');
    expect(pathTemplate('/index.php?p=1')).toBe(pathTemplate('/index.php?p=2'));
    expect(pathTemplate('/index.php?p=1')).not.toBe(pathTemplate('/index.php?page_id=2'));
    expect(pathTemplate('/items/0-12')).toBe('/items/:n-:n');
    // A route without a wildcard is one template; a broad one is keyed per path template.
    expect(requestTemplate('/users/:id', '/users/7?x=1')).toBe('/users/:id');
    expect(requestTemplate('/*', '/about?x=1')).toBe('/about?x');
    expect(requestTemplate('/static/*rest', '/static/a/1.png')).toBe('/static/a/:n.png');
    expect(requestTemplate(undefined, '/a/1')).toBe('/a/:n');
  });

  test('a new id between two legacy answers looks like a write; a nonce or a timestamp text does not', () => {
    expect(writeSuspect([{ path: 'html>body>form@action', kind: 'changed', legacy: '/edit.php?post=41', new: '/edit.php?post=42' }])).toBe('html>body>form@action: 41 → 42');
    expect(writeSuspect([{ path: '/draft/id', kind: 'changed', legacy: 7, new: 8 }])).toBe('/draft/id: 7 → 8');
    expect(writeSuspect([{ path: 'html>body>input@value', kind: 'changed', legacy: 'a1f3', new: 'b2e4' }])).toBeUndefined();
    expect(writeSuspect([{ path: 'html>body>img.avatar@src', kind: 'changed', legacy: 'https://1.gravatar.com/a.png', new: 'https://2.gravatar.com/a.png' }])).toBeUndefined();
    expect(writeSuspect([{ path: 'html>body>p/#text', kind: 'changed', legacy: 'at 12:00:01', new: 'at 12:00:02' }])).toBeUndefined();
  });
});
