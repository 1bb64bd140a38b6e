import type { RouteReadiness } from '../../../diffs/report/readiness.js';
import { GATE_FRESH_MS, GateAsks } from '../../../proxy/ramp/gate-asks.js';
import { gateVerdict, type GateVerdict } from '../../../proxy/ramp/plan.js';

const route = (name: string, failing: Record<string, string> = {}): RouteReadiness => ({
  route: name,
  ready: Object.keys(failing).length === 0,
  criteria: (['responses', 'latency', 'errors', 'data'] as const).map((c) => ({ name: c, ok: !(c in failing), figure: failing[c] ?? `${c} fine` })),
});

describe('gateVerdict: the verdicts of a ramp\'s routes as one', () => {
  it('passes only when every route is ready, and names each failing criterion with its figure', () => {
    expect(gateVerdict([route('a'), route('b')])).toEqual({ ok: true, reason: '', held: '' });
    const v = gateVerdict([route('a', { data: 'not judged: tables users: no store' }), route('b', { latency: 'live: new p95 700 ms' })]);
    expect(v).toEqual({ ok: false, reason: 'a data: not judged: tables users: no store; b latency: live: new p95 700 ms', held: 'a data, b latency' });
    expect(gateVerdict([]).ok).toBe(false);
  });
});

describe('GateAsks: the gate asked in the background', () => {
  const settle = () => new Promise((r) => setImmediate(r));
  function asks(): { gate: GateAsks; answer: (v: GateVerdict | Error) => void; count: () => number } {
    let n = 0;
    let resolve: ((v: GateVerdict) => void) | undefined;
    let reject: ((e: Error) => void) | undefined;
    const gate = new GateAsks(() => {
      n++;
      return new Promise<GateVerdict>((res, rej) => {
        resolve = res;
        reject = rej;
      });
    });
    return { gate, answer: (v) => (v instanceof Error ? reject!(v) : resolve!(v)), count: () => n };
  }
  const failing: GateVerdict = { ok: false, reason: 'a data: stale', held: 'a data' };
  const passing: GateVerdict = { ok: true, reason: '', held: '' };

  it('answers nothing until an ask is in, asks once at a time, and holds a fresh verdict for GATE_FRESH_MS', async () => {
    const { gate, answer, count } = asks();
    expect(gate.verdict('a', 0)).toBeUndefined();
    expect(gate.verdict('a', 100)).toBeUndefined();
    expect(count()).toBe(1);
    answer(failing);
    await settle();
    expect(gate.verdict('a', GATE_FRESH_MS)).toEqual(expect.objectContaining(failing));
    expect(count()).toBe(1);
    // Stale: asked again, and the failing verdict stands meanwhile (a gate that failed does not open by ageing).
    expect(gate.verdict('a', GATE_FRESH_MS + 1)).toEqual(expect.objectContaining(failing));
    expect(count()).toBe(2);
    answer(passing);
    await settle();
    expect(gate.verdict('a', GATE_FRESH_MS + 2)).toEqual(expect.objectContaining(passing));
  });

  it('after a step, a verdict asked before it does not count; a failed ask is a failing verdict', async () => {
    const { gate, answer } = asks();
    gate.verdict('a', 1000);
    gate.forget('a', 2000);
    answer(passing);
    await settle();
    expect(gate.verdict('a', 2500)).toBeUndefined();
    answer(new Error('diff file gone'));
    await settle();
    expect(gate.verdict('a', 2600)).toEqual(expect.objectContaining({ ok: false, reason: 'the gate cannot be judged: diff file gone', held: 'the gate cannot be judged' }));
    await gate.settled();
  });
});
