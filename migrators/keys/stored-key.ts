/**
 * The checkpoint key codec: how a key is written into a checkpoint (JSON) and read back, and how it
 * is shown in messages. Checkpoints written by earlier runs are read with loadKey, so the stored
 * form is a format: change it only with a reader for the old one.
 */
import type { KeyValue } from './key.js';
import { encodeKeyName, keyPartText } from './key-name.js';

/** Key values as JSON for a checkpoint: Buffers as { $b64 }, everything else as read. */
export type StoredKey = (string | number | { $b64: string })[];

export function storeKey(values: readonly KeyValue[]): StoredKey {
  return values.map((v) => (Buffer.isBuffer(v) ? { $b64: v.toString('base64') } : v));
}

export function loadKey(stored: StoredKey): KeyValue[] {
  return stored.map((v) => (typeof v === 'object' ? Buffer.from(v.$b64, 'base64') : v));
}

/** A key for messages and reports, written as dead letters and key names write it: `42`, `x\\:y:1`, `00ff`. */
export function showKey(values: readonly KeyValue[]): string {
  const parts = values.map(keyPartText);
  return parts.length > 1 ? encodeKeyName(parts) : parts[0]!;
}
