import type { Key } from '@google-cloud/datastore';
import { decodeKeyName } from '../keys/key-name.js';
import type { TableMapping } from '../mapping/types.js';
import type { KeyColumn, KeyValue } from '../keys/key.js';

/**
 * The primary-key values an entity key stands for: the inverse of mapRow's key rule (an id for one
 * integer column, the value as the name for one other column, `a:b` escaped names for several;
 * binary parts are hex). Undefined when the key cannot come from this mapping at all (another kind,
 * a name where an id belongs…): such an entity has no row by construction.
 */
export function primaryKeyOf(key: Key, mapping: TableMapping, columns: readonly (KeyColumn & { binary?: boolean })[]): KeyValue[] | undefined {
  if (key.kind !== mapping.kind) return undefined;
  if (mapping.key.strategy === 'id') {
    if (key.id === undefined || columns.length !== 1) return undefined;
    return [String(key.id)];
  }
  if (key.name === undefined) return undefined;
  const parts = columns.length > 1 ? decodeKeyName(key.name) : [key.name];
  if (parts.length !== columns.length) return undefined;
  const values: KeyValue[] = [];
  for (let i = 0; i < parts.length; i++) {
    const c = columns[i]!;
    const p = parts[i]!;
    if (c.binary) {
      if (!/^(?:[0-9a-f]{2})*$/.test(p)) return undefined;
      values.push(Buffer.from(p, 'hex'));
    } else if (c.integer) {
      if (!/^-?\d+$/.test(p)) return undefined;
      values.push(p);
    } else values.push(p);
  }
  return values;
}
