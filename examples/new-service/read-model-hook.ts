/**
 * `migrate follow`'s onChange hook for the read model (examples/demo/strangler.yaml names it for
 * activities and activity_participants): what legacy writes after the read model was built — a
 * join, a new activity, a participation or an activity deleted — reaches the new service's lists
 * (read-model.ts) within a batch of follow, through the same edits the new service's own join
 * makes. Idempotent, as follow asks: the edits add or remove ids, and a batch replayed after a
 * crash leaves the lists as they were.
 */
import type { Key } from '@google-cloud/datastore';
import type { ChangeTarget } from '../../migrators/datastore/change-target.js';
import type { AppliedChange } from '../../migrators/follow/change-hook.js';
import { applyEdits, hostEdits, joinEdits, leaveEdits, type IndexEdit } from './read-model.js';
import { KINDS } from './store.js';

/** Changes per transaction: each touches at most two index entities, Datastore allows 500 a commit. */
const PER_TRANSACTION = 100;

/** The activity and user of a Participation, from its key name "activity_id:user_id". */
function participation(key: Key): { activity: number; user: number } {
  const [activity, user] = String(key.name).split(':').map(Number);
  return { activity: activity!, user: user! };
}

const hostOf = (entity: Record<string, unknown> | undefined) => (entity?.host_id === undefined || entity.host_id === null ? undefined : Number(entity.host_id));

export function editsFor(c: AppliedChange): IndexEdit[] {
  if (c.kind === KINDS.participation) {
    const p = participation(c.key);
    return c.op === 'delete' ? leaveEdits(p.activity, p.user) : joinEdits(p.activity, p.user);
  }
  if (c.kind === KINDS.activity) {
    const id = Number(c.key.id);
    const [was, is] = [hostOf(c.before), hostOf(c.after)];
    return [...(was !== undefined && was !== is ? hostEdits(id, was, false) : []), ...(is !== undefined ? hostEdits(id, is) : [])];
  }
  return [];
}

export default async function readModelHook(changes: readonly AppliedChange[], target: ChangeTarget): Promise<void> {
  for (let i = 0; i < changes.length; i += PER_TRANSACTION) {
    const edits = changes.slice(i, i + PER_TRANSACTION).flatMap(editsFor);
    if (edits.length === 0) continue;
    await target.transaction((tx) => applyEdits({ key: (kind, id) => target.key([kind, id]), get: (keys) => tx.get(keys), save: (entities) => tx.save(entities) }, edits));
  }
}
