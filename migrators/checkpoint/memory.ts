import { CheckpointVanishedError, type Checkpoint, type CheckpointStore, type ShardPlan, type StreamMark, type SyncMark, type VerifyMark } from './contract.js';

/** The checkpoint contract in memory: for unit tests and `--dry-run`, which must write nothing. */
export function createMemoryCheckpointStore(): CheckpointStore & { checkpoints: Map<string, Checkpoint> } {
  const checkpoints = new Map<string, Checkpoint>();
  const plans = new Map<string, ShardPlan>();
  const marks = new Map<string, SyncMark>();
  const verifies = new Map<string, VerifyMark>();
  const streams = new Map<string, StreamMark>();
  const copy = <T>(v: T): T => structuredClone(v);
  const read = <T>(from: Map<string, T>, key: string): T | undefined => {
    const v = from.get(key);
    return v && copy(v);
  };
  return {
    checkpoints,
    async get(id) {
      return read(checkpoints, id);
    },
    async put(cp) {
      checkpoints.set(cp.id, copy(cp));
    },
    async update(cp) {
      if (!checkpoints.has(cp.id)) throw new CheckpointVanishedError(cp.id);
      checkpoints.set(cp.id, copy(cp));
    },
    async list() {
      return [...checkpoints.values()].map(copy);
    },
    async clearTable(table) {
      for (const [id, cp] of checkpoints) if (cp.table === table) checkpoints.delete(id);
      for (const id of plans.keys()) if (id.startsWith(`${table}#`)) plans.delete(id);
      marks.delete(table);
      verifies.delete(table);
    },
    async claimPlan(plan) {
      const id = `${plan.table}#plan/${plan.count}`;
      const held = plans.get(id);
      if (held) return copy(held);
      plans.set(id, copy(plan));
      return copy(plan);
    },
    async getSyncMark(table) {
      return read(marks, table);
    },
    async putSyncMark(mark) {
      marks.set(mark.table, copy(mark));
    },
    async getVerifyMark(table) {
      return read(verifies, table);
    },
    async putVerifyMark(mark) {
      verifies.set(mark.table, copy(mark));
    },
    async getStreamMark(stream) {
      return read(streams, stream);
    },
    async putStreamMark(mark) {
      streams.set(mark.stream, copy(mark));
    },
  };
}
