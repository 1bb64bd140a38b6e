import { loadKey, showKey } from '../keys/stored-key.js';
import type { Checkpoint } from './contract.js';

/** A checkpoint not updated for this long, and not done, is reported as stalled (worker gone?). */
export const STALL_MS = 60_000;

export interface ShardStatus {
  table: string;
  kind: string;
  shard: string;
  state: 'done' | 'running' | 'stalled';
  rowsCopied: number;
  rowsTotal: number;
  lastKey: string | null;
  rate: number;
  etaSeconds: number | null;
  retries: number;
  deadLetters: number;
  startedAt: string;
  updatedAt: string;
  watermark: string;
}

/** What `migrate status` shows for one checkpoint, at `now`. Pure. */
export function shardStatus(cp: Checkpoint, now: Date): ShardStatus {
  const idle = now.getTime() - Date.parse(cp.updatedAt);
  const state = cp.done ? 'done' : idle > STALL_MS ? 'stalled' : 'running';
  const left = Math.max(cp.rowsTotal - cp.rowsCopied, 0);
  return {
    table: cp.table,
    kind: cp.kind,
    shard: cp.shard,
    state,
    rowsCopied: cp.rowsCopied,
    rowsTotal: cp.rowsTotal,
    lastKey: cp.lastKey ? showKey(loadKey(cp.lastKey)) : null,
    rate: cp.rate,
    etaSeconds: cp.done ? 0 : cp.rate > 0 && state === 'running' ? Math.round(left / cp.rate) : null,
    retries: cp.retries,
    deadLetters: cp.deadLetters,
    startedAt: cp.startedAt,
    updatedAt: cp.updatedAt,
    watermark: cp.watermark,
  };
}

export function sortStatuses(list: ShardStatus[]): ShardStatus[] {
  const n = (s: string) => Number(s.split('/')[0]);
  return list.sort((a, b) => a.table.localeCompare(b.table) || n(a.shard) - n(b.shard) || a.shard.localeCompare(b.shard));
}
