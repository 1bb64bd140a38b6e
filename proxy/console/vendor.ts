import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../core/package-info.js';

/**
 * The one front-end library the console loads: htm's single-file build of preact + hooks + htm
 * (ESM, ~13 kB), served from the installed package (no CDN: the console works offline).
 * htm's package exports do not expose the file by name, so it is found on disk, nearest
 * node_modules first, as Node itself would look.
 */
export function vendorFile(): string {
  let dir = PACKAGE_ROOT;
  for (;;) {
    const f = path.join(dir, 'node_modules', 'htm', 'preact', 'standalone.module.js');
    if (existsSync(f)) return f;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('htm is not installed (npm install)');
    dir = up;
  }
}
