import { Readable } from 'node:stream';
import type http from 'node:http';
import { ResponseCapture } from '../../../proxy/shadow/capture.js';
import { isSafe, shouldMirror, shouldSampleNoise } from '../../../proxy/shadow/decide.js';

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

  it('samples noise for safe methods only', () => {
    expect(shouldSampleNoise(5, 'GET', 4.9)).toBe(true);
    expect(shouldSampleNoise(5, 'GET', 5)).toBe(false);
    expect(shouldSampleNoise(100, 'POST', 0)).toBe(false);
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
