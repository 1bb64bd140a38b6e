import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { deadPort, startUpstream, type Upstream } from '../../support/http.js';
import { proxyConfig, startTestProxy, type TestProxy } from './setup.js';

let legacy: Upstream;
let wss: WebSocketServer;
let proxy: TestProxy;
let releaseStream: () => void = () => undefined;

beforeAll(async () => {
  legacy = await startUpstream((req, res) => {
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: first\n\n');
      releaseStream = () => res.end('data: last\n\n');
      return;
    }
    res.end('plain');
  });
  wss = new WebSocketServer({ server: legacy.server });
  wss.on('connection', (ws, req) => ws.on('message', (m) => ws.send(`echo ${m.toString()} via ${req.headers.host}`)));
  proxy = await startTestProxy(proxyConfig(legacy.url, `http://127.0.0.1:${await deadPort()}`, { routes: [{ name: 'chat', match: { path: '/chat' }, new: 100, fallback: false }] }));
});

afterAll(async () => {
  await proxy?.stop(100);
  wss?.close();
  await legacy?.close();
});

describe('websocket and server-sent events', () => {
  it('proxies a WebSocket echo on a fresh proxy with no warm-up request', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.address.port}/socket`, { headers: { host: 'chat.example' } });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (m) => resolve(m.toString()));
      ws.on('error', reject);
    });
    expect(reply).toBe('echo hello via chat.example');
    ws.close();
  });

  it('answers a WebSocket upgrade to a dead backend with 502 and a code', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.address.port}/chat`);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      ws.on('unexpected-response', (_req, r) => resolve(r));
      ws.on('open', () => reject(new Error('opened')));
      ws.on('error', () => undefined);
    });
    expect(res.statusCode).toBe(502);
    expect(res.headers['x-strangler-error']).toBe('STRANGLER_E_PROXY_CONNECT');
    ws.terminate();
  });

  it('relays server-sent events as they come, unbuffered', async () => {
    const events: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      http
        .get(`${proxy.url}/events`, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
          expect(res.headers['content-type']).toBe('text/event-stream');
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            events.push(c);
            // The first event must arrive while the backend still holds the stream open.
            if (events.length === 1) releaseStream();
          });
          res.on('end', () => resolve());
        })
        .on('error', reject);
    });
    await done;
    expect(events.join('')).toBe('data: first\n\ndata: last\n\n');
    expect(events[0]).toBe('data: first\n\n');
  });
});
