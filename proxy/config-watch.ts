import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { watchFile } from '../core/shared-file.js';

/**
 * Calls onChange when a file's content changes (editors often replace the file by a rename, so the
 * folder is watched, not the file). Unchanged content (a touch, a duplicate event) is ignored.
 */
export function watchFileContent(file: string, onChange: () => void, debounceMs = 100): () => void {
  const digest = () => {
    try {
      return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    } catch {
      return undefined;
    }
  };
  let last = digest();
  const check = () => {
    const now = digest();
    if (now !== undefined && now !== last) {
      last = now;
      onChange();
    }
  };
  // SIGHUP reloads too, where the folder cannot be watched.
  return watchFile(file, check, { debounceMs });
}
