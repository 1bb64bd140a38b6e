import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StranglerError, describeCause } from '../../core/errors.js';
import type { RowTransform } from './types.js';

/**
 * Imports a transform module (relative to the config file's folder): its default export must be a
 * function (row, entity) → entity. The only I/O of the mapping; mapRow itself stays pure.
 */
export async function loadTransform(modulePath: string, baseDir: string, at: string): Promise<RowTransform> {
  const file = path.resolve(baseDir, modulePath);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new StranglerError('STRANGLER_E_MIGRATE_TRANSFORM', `${at}: ${modulePath} cannot be loaded: ${describeCause(err).split('\n')[0]}`, {
      cause: err,
      hint: `the path is resolved against ${baseDir}; the module must export default (row, entity) => entity`,
    });
  }
  if (typeof mod.default !== 'function') {
    throw new StranglerError('STRANGLER_E_MIGRATE_TRANSFORM', `${at}: ${modulePath} has no default export function`, {
      hint: 'export default function (row, entity) { return entity; }',
    });
  }
  return mod.default as RowTransform;
}
