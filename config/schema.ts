import { z } from 'zod';
import { migrateSchema } from './migrate-schema.js';
import { proxySchema } from './proxy-schema.js';

export const configSchema = z
  .strictObject({
    proxy: proxySchema.optional(),
    migrate: migrateSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.proxy && !c.migrate) {
      ctx.addIssue({
        code: 'custom',
        message: 'the config has neither a "proxy" nor a "migrate" section',
        params: { code: 'STRANGLER_E_CONFIG_REQUIRED', example: 'proxy: { backends: { legacy: { url: http://127.0.0.1:8000 }, new: { url: http://127.0.0.1:9000 } }, admin: { token: ${STRANGLER_ADMIN_TOKEN} } }' },
      });
    }
  });

export type ConfigSections = z.output<typeof configSchema>;

/** A validated, frozen config, with where it came from (relative paths resolve against baseDir). */
export interface Config extends ConfigSections {
  readonly file: string;
  readonly baseDir: string;
}
