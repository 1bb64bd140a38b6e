/**
 * A file that other processes read, write or change under us (the dial state file, the config file,
 * a mapping written by `migrate plan`): written atomically, changed under a lock across processes,
 * watched for changes. One place for the three, on write-file-atomic and proper-lockfile.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';

/**
 * Writes `text` to a temp file beside `file`, fsynced unless told not to, then renamed over it: a
 * reader sees the old content or the new, never a part; a failed write leaves no temp file behind.
 */
export async function writeFileAtomically(file: string, text: string, options: { fsync?: boolean } = {}): Promise<void> {
  await writeFileAtomic(file, text, { fsync: options.fsync ?? true });
}

export interface FileLockOptions {
  /** How long to wait for another holder (default 5 s); then an error with code 'ELOCKED'. */
  waitMs?: number;
  /**
   * A lock whose holder has not refreshed it for this long is taken for abandoned (its process died)
   * and taken over (default 10 s, at least 2 s). A live holder refreshes it every staleMs / 2 while
   * it holds it, so a slow one keeps it.
   */
  staleMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes `${file}.lock` (a folder, made atomically), waiting for another holder up to waitMs; resolves
 * with its release. The file itself need not exist.
 */
export async function lockFile(file: string, options: FileLockOptions = {}): Promise<() => Promise<void>> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const deadline = Date.now() + (options.waitMs ?? 5000);
  let lost = false;
  for (;;) {
    try {
      const release = await lockfile.lock(file, {
        realpath: false,
        stale: options.staleMs ?? 10_000,
        // The lock was taken over or could not be refreshed: the holder's work goes on (it cannot be
        // undone half way); its release must then not remove the new holder's lock.
        onCompromised: () => {
          lost = true;
        },
      });
      return () => (lost ? Promise.resolve() : release().catch(() => undefined));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() > deadline) throw err;
      await sleep(5 + Math.random() * 10);
    }
  }
}

/**
 * Calls onChange (debounced) when `file` may have changed. The folder is watched, not the file:
 * editors and atomic writes replace a file by a rename. With pollMs, a slow stat poll besides, since
 * fs.watch may miss events on some filesystems (or be missing). Returns the stop.
 */
export function watchFile(file: string, onChange: () => void, options: { debounceMs: number; pollMs?: number }): () => void {
  const base = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, options.debounceMs);
    timer.unref();
  };
  let watcher: fs.FSWatcher | undefined;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    watcher = fs.watch(path.dirname(path.resolve(file)), { persistent: false }, (_event, name) => {
      if (name === null || name === base) changed();
    });
    watcher.on('error', () => undefined);
  } catch {
    // No inotify here (or the folder vanished): the poll, where there is one, still sees changes.
  }
  const poll = options.pollMs;
  if (poll !== undefined) fs.watchFile(file, { interval: poll, persistent: false }, changed);
  return () => {
    clearTimeout(timer);
    watcher?.close();
    if (poll !== undefined) fs.unwatchFile(file, changed);
  };
}
