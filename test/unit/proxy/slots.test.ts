import { Slots } from '../../../proxy/slots.js';

describe('Slots', () => {
  test('a handle finds its entry until the entry is deleted', () => {
    const t = new Slots<string>();
    const a = t.add('a');
    const b = t.add('b');
    expect([t.get(a), t.get(b), t.size]).toEqual(['a', 'b', 2]);
    expect(t.delete(a)).toBe('a');
    expect([t.get(a), t.get(b), t.size]).toEqual([undefined, 'b', 1]);
    expect(t.delete(a)).toBeUndefined();
    expect(t.size).toBe(1);
  });

  test('a slot is reused, but an old handle never finds the new entry', () => {
    const t = new Slots<string>();
    const old = t.add('old');
    t.delete(old);
    const next = t.add('new');
    expect(next).not.toBe(old);
    expect(t.get(old)).toBeUndefined();
    expect(t.delete(old)).toBeUndefined();
    expect(t.get(next)).toBe('new');
  });

  test('handles that were never given find nothing', () => {
    const t = new Slots<string>();
    t.add('a');
    for (const h of [-1, 1, 2 ** 22, 2 ** 40]) expect(t.get(h)).toBeUndefined();
  });

  test('iterates its entries, and deleting while iterating visits each entry once', () => {
    const t = new Slots<number>();
    const handles = new Map<number, number>();
    for (let i = 0; i < 10; i++) handles.set(i, t.add(i));
    for (const i of [2, 5, 7]) t.delete(handles.get(i)!);
    const seen: number[] = [];
    for (const v of t) {
      seen.push(v);
      t.delete(handles.get(v)!);
    }
    expect(seen.sort((x, y) => x - y)).toEqual([0, 1, 3, 4, 6, 8, 9]);
    expect(t.size).toBe(0);
    expect([...t]).toEqual([]);
  });

  test('clear() empties it and invalidates every handle', () => {
    const t = new Slots<string>();
    const hs = ['a', 'b', 'c'].map((v) => t.add(v));
    t.clear();
    expect(t.size).toBe(0);
    for (const h of hs) expect(t.get(h)).toBeUndefined();
    const d = t.add('d');
    expect(hs).not.toContain(d);
    expect([...t]).toEqual(['d']);
  });

  test('under churn it holds only what is in it, and grows only with the peak', () => {
    const t = new Slots<object>();
    let live: number[] = [];
    for (let round = 0; round < 1000; round++) {
      live.push(t.add({ round }));
      if (live.length > 32) live = live.filter((h, i) => (i % 2 === 0 ? (t.delete(h), false) : true));
    }
    expect(t.size).toBe(live.length);
    expect([...t].length).toBe(live.length);
    expect((t as unknown as { values: unknown[] }).values.length).toBeLessThanOrEqual(33);
  });
});
