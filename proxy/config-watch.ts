import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

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
  let timer: NodeJS.Timeout | undefined;
  const base = path.basename(file);
  const check = () => {
    const now = digest();
    if (now !== undefined && now !== last) {
      last = now;
      onChange();
    }
  };
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(path.dirname(path.resolve(file)), { persistent: false }, (_e, name) => {
      if (name !== null && name !== base) return;
      clearTimeout(timer);
      timer = setTimeout(check, debounceMs);
      timer.unref();
    });
    watcher.on('error', () => undefined);
  } catch {
    // No inotify: SIGHUP still reloads.
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
