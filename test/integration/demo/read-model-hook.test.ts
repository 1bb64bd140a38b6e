import type { Key } from '@google-cloud/datastore';
import { createChangeTarget } from '../../../migrators/datastore/change-target.js';
import { closeDatastore, createDatastore } from '../../../migrators/datastore/client.js';
import type { AppliedChange } from '../../../migrators/follow/change-hook.js';
import readModelHook from '../../../examples/new-service/read-model-hook.js';
import { testNamespace, TEST_PROJECT } from '../../support/services.js';

/**
 * The demo's onChange hook (examples/new-service/read-model-hook.ts) against the emulator, with the
 * changes follow would hand it for what the legacy app cannot do through its API (a new activity, a
 * host handed over, a participation deleted) and a batch replayed after a crash.
 */
describe("the new service's read-model hook", () => {
  const namespace = testNamespace('rmhook');
  const ds = createDatastore({ projectId: TEST_PROJECT, namespace });
  const key = (...path: (string | number)[]) => ds.key({ namespace, path });
  const target = createChangeTarget(ds, (path) => ds.key({ namespace, path: path as never }));
  afterAll(async () => closeDatastore(ds));

  const lists = async () => {
    const wanted: [string, number, string][] = [
      ['UserIndex', 5, 'hosted'],
      ['UserIndex', 6, 'hosted'],
      ['UserIndex', 7, 'joined'],
      ['UserIndex', 8, 'joined'],
      ['ActivityIndex', 10, 'participants'],
    ];
    const out: Record<string, number[]> = {};
    for (const [kind, id, list] of wanted) {
      const [e] = (await ds.get(key(kind, id))) as [Record<string, unknown[]> | undefined];
      out[`${kind}(${id}).${list}`] = (e?.[list] ?? []).map(Number);
    }
    return out;
  };
  const activity = (op: AppliedChange['op'], before: number | undefined, after: number | undefined): AppliedChange => ({
    table: 'activities',
    kind: 'Activity',
    key: key('Activity', 10) as Key,
    op,
    ...(before !== undefined ? { before: { host_id: ds.int(before) } } : {}),
    ...(after !== undefined ? { after: { host_id: ds.int(after) } } : {}),
  });
  const participation = (op: AppliedChange['op'], user: number): AppliedChange => ({
    table: 'activity_participants',
    kind: 'Participation',
    key: key('Activity', 10, 'Participation', `10:${user}`) as Key,
    op,
    ...(op === 'delete' ? { before: { activity_id: ds.int(10), user_id: ds.int(user) } } : { after: { activity_id: ds.int(10), user_id: ds.int(user) } }),
  });

  test('a new activity and two joins are listed; the same batch again changes nothing', async () => {
    const batch = [activity('insert', undefined, 5), participation('insert', 7), participation('insert', 8)];
    await readModelHook(batch, target);
    const once = await lists();
    expect(once).toEqual({ 'UserIndex(5).hosted': [10], 'UserIndex(6).hosted': [], 'UserIndex(7).joined': [10], 'UserIndex(8).joined': [10], 'ActivityIndex(10).participants': [7, 8] });
    await readModelHook(batch, target);
    expect(await lists()).toEqual(once);
  });

  test('a deleted participation leaves both lists; a host handed over moves the activity between hosts', async () => {
    await readModelHook([participation('delete', 8), activity('update', 5, 6)], target);
    expect(await lists()).toEqual({ 'UserIndex(5).hosted': [], 'UserIndex(6).hosted': [10], 'UserIndex(7).joined': [10], 'UserIndex(8).joined': [], 'ActivityIndex(10).participants': [7] });
  });
});
