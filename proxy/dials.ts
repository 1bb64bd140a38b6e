import { z } from 'zod';
import { percent } from '../config/refinements.js';
import type { RouteConfig } from '../config/proxy-schema.js';

/** The runtime dials of one route. Plain data: the state store versions them, the router reads them. */
export interface Dial {
  /** % of users served by the new service (sticky), 0..100 in 0.01 steps. */
  new: number;
  /** % of requests mirrored to the other backend. */
  shadow: number;
  /** An idempotent request the new service fails is answered by legacy. */
  fallback: boolean;
}

export type DialPatch = Partial<Dial>;

export function dialOf(route: Pick<RouteConfig, 'new' | 'shadow' | 'fallback'>): Dial {
  return { new: route.new, shadow: route.shadow, fallback: route.fallback };
}

/** The body of PATCH /routes/:name: at least one dial, nothing else (besides who made the change). */
export const dialPatchSchema = z
  .strictObject({
    new: percent.optional(),
    shadow: percent.optional(),
    fallback: z.boolean().optional(),
    who: z.string().min(1).max(200).optional(),
  })
  .refine((p) => p.new !== undefined || p.shadow !== undefined || p.fallback !== undefined, {
    message: 'give at least one of "new", "shadow", "fallback"',
  });

export function sameDial(a: Dial, b: Dial): boolean {
  return a.new === b.new && a.shadow === b.shadow && a.fallback === b.fallback;
}
