import { newRecordId } from '../../../diffs/record-id.js';

describe('record ids', () => {
  test('are unique within one millisecond and sort by time', () => {
    const now = Date.UTC(2026, 11, 2);
    const ids = Array.from({ length: 10_000 }, () => newRecordId(now));
    expect(new Set(ids).size).toBe(ids.length);
    const later = newRecordId(now + 1);
    expect(ids.every((id) => id < later)).toBe(true);
    expect(later.startsWith(`${(now + 1).toString(36)}-`)).toBe(true);
  });
});
