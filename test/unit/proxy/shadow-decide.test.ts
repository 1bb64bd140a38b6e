import { Readable } from 'node:stream';
import type http from 'node:http';
import { ResponseCapture } from '../../../proxy/shadow/capture.js';
import { shadowSchema } from '../../../config/diff-schema.js';
import { isExcluded, NoiseLearning } from '../../../proxy/shadow/admission.js';
import { isSafe, shouldMirror } from '../../../proxy/shadow/decide.js';

describe('shadow decisions', () => {
  it('mirrors safe methods by the dial, writes only when the route opts in', () => {
    expect(shouldMirror(100, 'GET', false, 99.9)).toBe(true);
    expect(shouldMirror(10, 'GET', false, 9.99)).toBe(true);
    expect(shouldMirror(10, 'GET', false, 10)).toBe(false);
    expect(shouldMirror(0, 'GET', false, 0)).toBe(false);
    expect(shouldMirror(100, 'POST', false, 0)).toBe(false);
    expect(shouldMirror(100, 'POST', true, 0)).toBe(true);
    expect(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'].filter(isSafe)).toEqual(['GET', 'HEAD', 'OPTIONS']);
  });

  it('samples noise for safe methods only: the first noiseWarmup of each route and path template, then at the rate', () => {
    const limits = shadowSchema.parse({ noiseSample: 5, noiseWarmup: 3 });
    const learning = new NoiseLearning();
    const never = 99.9;
    // The first 3 of a template are sampled whatever the draw; the 4th is left to the draw.
    expect([1, 2, 3, 4].map((i) => learning.sample(limits, 'site', 'GET', `/post/${i}?x=${i}`, never))).toEqual([true, true, true, false]);
    expect(learning.sample(limits, 'site', 'GET', '/post/5', 4.9)).toBe(true);
    // A new template of the same route, and the same template on another route, have their own warm-up.
    expect(learning.sample(limits, 'site', 'GET', '/about', never)).toBe(true);
    expect(learning.sample(limits, 'other', 'GET', '/post/1?x=1', never)).toBe(true);
    expect(learning.sample(limits, 'site', 'POST', '/contact', 0)).toBe(false);
    // A route without a wildcard is one template, whatever its paths.
    expect([1, 2, 3, 4].map((i) => learning.sample(limits, 'user', 'GET', `/u/x${i}y`, never, '/u/:name'))).toEqual([true, true, true, false]);
    const off = shadowSchema.parse({ noiseSample: 5, noiseWarmup: 0 });
    expect([learning.sample(off, 'x', 'GET', '/a', 4.9), learning.sample(off, 'x', 'GET', '/a', 5)]).toEqual([true, false]);
  });

  it('proxy.shadow.exclude: per route, path patterns never mirrored', () => {
    const limits = shadowSchema.parse({ exclude: { site: ['/wp-admin/post-new.php', '/editor/:id', '/drafts/*'] } });
    expect(isExcluded(limits, 'site', '/wp-admin/post-new.php?post_type=page')).toBe(true);
    expect(isExcluded(limits, 'site', '/editor/12')).toBe(true);
    expect(isExcluded(limits, 'site', '/editor/12/preview')).toBe(false);
    expect(isExcluded(limits, 'site', '/drafts/a/b')).toBe(true);
    expect(isExcluded(limits, 'site', '/wp-admin/post.php')).toBe(false);
    expect(isExcluded(limits, 'other', '/editor/12')).toBe(false);
  });
});

describe('ResponseCapture', () => {
  const res = (status: number) => Object.assign(Readable.from([]), { statusCode: status, headers: { 'content-type': 'text/plain' } }) as unknown as http.IncomingMessage;

  it('keeps the body up to the cap', () => {
    const c = new ResponseCapture('new', 10);
    c.head(res(201));
    c.data(Buffer.from('hello '));
    c.data(Buffer.from('you'));
    expect(c.result()).toMatchObject({ backend: 'new', status: 201, headers: { 'content-type': 'text/plain' }, body: Buffer.from('hello you') });
  });

  it('lets go of the body past the cap and says why', () => {
    const c = new ResponseCapture('legacy', 4);
    c.data(Buffer.from('abc'));
    c.data(Buffer.from('de'));
    c.data(Buffer.from('f'));
    expect(c.result()).toMatchObject({ body: undefined, skipped: 'body-too-large' });
  });

  it('records a failure with its code, keeping the first reason', () => {
    const c = new ResponseCapture('new', 4);
    c.fail('timeout', 'STRANGLER_E_PROXY_TIMEOUT');
    c.fail('backend-error', 'STRANGLER_E_PROXY_RESET');
    expect(c.result()).toMatchObject({ status: 0, body: undefined, skipped: 'timeout', error: 'STRANGLER_E_PROXY_TIMEOUT' });
  });
});
