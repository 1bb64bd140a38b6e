import { StranglerError } from '../../../core/errors.js';
import { runSteps, TOTAL_STEPS } from '../../../examples/demo/playbook.js';
import { jsonPrinter, textPrinter } from '../../../examples/demo/printer.js';
import type { Step } from '../../../examples/demo/step.js';
import { Teardown } from '../../../examples/demo/teardown.js';
import { spreadIds } from '../../../examples/demo/traffic.js';

function step(name: string, run: Step['run']): Step {
  return { name, title: `the ${name} step`, run };
}

describe('the playbook runner', () => {
  test('stops at the first step that is not ok, printing it and throwing STRANGLER_E_DEMO_STEP with its problem', async () => {
    let out = '';
    const ran: string[] = [];
    const steps = [
      step('a', async () => (ran.push('a'), { ok: true, figures: { n: 1 }, lines: [] })),
      step('b', async () => (ran.push('b'), { ok: false, figures: { share: 0.4 }, lines: ['share 40%'], problem: 'new served 40.0%, not 10% ± 5%' })),
      step('c', async () => (ran.push('c'), { ok: true, figures: {}, lines: [] })),
    ];
    const err = await runSteps(steps, jsonPrinter((s) => (out += s)), 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StranglerError);
    expect(err).toMatchObject({ code: 'STRANGLER_E_DEMO_STEP', message: `demo step 5/${TOTAL_STEPS} b failed: new served 40.0%, not 10% ± 5%` });
    expect(ran).toEqual(['a', 'b']);
    expect(out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { step: 'a', ok: true, ms: expect.any(Number), figures: { n: 1 } },
      { step: 'b', ok: false, ms: expect.any(Number), figures: { share: 0.4 }, problem: 'new served 40.0%, not 10% ± 5%' },
    ]);
  });

  test('a step that throws is reported the same way, with its cause', async () => {
    let out = '';
    const steps = [step('verify', async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')))];
    await expect(runSteps(steps, textPrinter((s) => (out += s)), 3)).rejects.toMatchObject({ code: 'STRANGLER_E_DEMO_STEP', message: expect.stringContaining(`demo step 3/${TOTAL_STEPS} verify failed: connect ECONNREFUSED`) });
    expect(out).toContain(`▶ 3/${TOTAL_STEPS} verify: the verify step\n✘ verify: connect ECONNREFUSED`);
  });
});

describe('Teardown', () => {
  test('stops newest first, and a stop that fails neither stops the others nor goes unreported', async () => {
    const stopped: string[] = [];
    const t = new Teardown();
    t.add('mariadb', () => void stopped.push('mariadb'));
    t.add('php', () => {
      throw new Error('kill ESRCH');
    });
    t.add('proxy', async () => void stopped.push('proxy'));
    expect(await t.run()).toEqual(['php: kill ESRCH']);
    expect(stopped).toEqual(['proxy', 'mariadb']);
    expect(await t.run()).toEqual([]); // nothing left to stop
  });
});

describe('spreadIds', () => {
  test('spreads the requests over every id in range, each once per round', () => {
    const ids = spreadIds(1000, 1000);
    expect(new Set(ids).size).toBe(1000);
    expect(Math.min(...ids)).toBe(1);
    expect(Math.max(...ids)).toBe(1000);
    expect(spreadIds(10, 4).every((id) => id >= 1 && id <= 4)).toBe(true);
  });
});
