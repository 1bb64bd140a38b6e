import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StranglerError, describeCause, type ErrorCode } from '../../core/errors.js';
import type { RowTransform } from './types.js';

/** What a config-named module is for: the error it raises and the shape its default export must have. */
export interface ModuleRole {
  code: ErrorCode;
  /** The signature of the default export, as the hint shows it. */
  signature: string;
}

/**
 * Imports a module named in the config (relative to the config file's folder) and returns its
 * default export, which must be a function: the one loader of `transform` and `onChange` modules.
 * The only I/O of the mapping; mapRow itself stays pure.
 */
export async function loadModuleFunction(modulePath: string, baseDir: string, at: string, role: ModuleRole): Promise<(...args: never[]) => unknown> {
  const file = path.resolve(baseDir, modulePath);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new StranglerError(role.code, `${at}: ${modulePath} cannot be loaded: ${describeCause(err).split('\n')[0]}`, {
      cause: err,
      hint: `the path is resolved against ${baseDir}; the module must export default ${role.signature}`,
    });
  }
  if (typeof mod.default !== 'function') {
    throw new StranglerError(role.code, `${at}: ${modulePath} has no default export function`, {
      hint: `export default ${role.signature}`,
    });
  }
  return mod.default as (...args: never[]) => unknown;
}

/** A `transform` module: its default export maps (row, entity) to the entity to write. */
export async function loadTransform(modulePath: string, baseDir: string, at: string): Promise<RowTransform> {
  return (await loadModuleFunction(modulePath, baseDir, at, { code: 'STRANGLER_E_MIGRATE_TRANSFORM', signature: 'function (row, entity) { return entity; }' })) as unknown as RowTransform;
}
