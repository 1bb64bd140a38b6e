/**
 * Every commander argument parser of the CLI, in one place. Each throws commander's
 * InvalidArgumentError, which reportError prints as a usage error (exit 2) with the flag's name.
 */
import { InvalidArgumentError } from 'commander';
import { parseShard, type Shard } from '../migrators/keys/shard.js';

/** A whole number with bounds. */
export function intArg(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

/** A threshold in percent, 0..100, any precision (diffs report --max-mismatch). */
export function percentArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError(`expected a percentage from 0 to 100, got "${value}"`);
  return n;
}

/** A dial setting: 0..100 in 0.01 steps, the resolution the dial store keeps (routes set --new/--shadow). */
export function dialPercentArg(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 100 || Math.abs(Math.round(n * 100) - n * 100) > 1e-6) {
    throw new InvalidArgumentError(`expected a percentage from 0 to 100 in steps of 0.01, got "${value}"`);
  }
  return n;
}

/** A sample share: above 0 (a 0% sample compares nothing) and at most 100 (migrate verify --sample). */
export function samplePercentArg(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 100) throw new InvalidArgumentError(`expected a percentage above 0 and at most 100, got "${value}"`);
  return n;
}

export function onOffArg(value: string): boolean {
  if (/^(on|true|yes|1)$/i.test(value)) return true;
  if (/^(off|false|no|0)$/i.test(value)) return false;
  throw new InvalidArgumentError(`expected on or off, got "${value}"`);
}

/** `--shard i/N`. */
export function shardArg(value: string): Shard {
  try {
    return parseShard(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** "90s", "15m", "1h", "2d", or an ISO time; the result is the earliest record time kept. */
export function sinceArg(value: string, now = Date.now()): Date {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value.trim());
  if (m) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(m[1]) * unit);
  }
  const t = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw new InvalidArgumentError(`expected a duration such as 30m, 1h, 2d or an ISO time, got "${value}"`);
  return new Date(t);
}
