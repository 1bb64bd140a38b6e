/**
 * What the demo prints: for people, each step's title, its result lines and a ✔/✘ with the time;
 * with --json, one JSON line per step ({ step, ok, ms, figures }) and nothing else on stdout.
 */
import path from 'node:path';
import { DEMO_CONFIG_FILE } from './index.js';
import type { DemoStack } from './stack.js';
import type { StepResult } from './step.js';

export interface DemoPrinter {
  banner(size: string): void;
  /** A step is starting (text mode shows its title before the work). */
  begin(label: string, title: string): void;
  progress(line: string): void;
  step(name: string, title: string, ms: number, result: StepResult): void;
  urls(stack: DemoStack): void;
  stopped(stack: DemoStack, ms: number, problem: string | undefined): void;
}

type Write = (text: string) => void;

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function jsonPrinter(write: Write): DemoPrinter {
  const line = (o: Record<string, unknown>) => write(JSON.stringify(o) + '\n');
  return {
    banner: () => undefined,
    begin: () => undefined,
    progress: () => undefined,
    step: (name, _title, ms, r) => line({ step: name, ok: r.ok, ms, figures: r.figures, ...(r.ok ? {} : { problem: r.problem }) }),
    urls: (s) => line({ step: 'up', ok: true, ms: 0, figures: { ...endpoints(s), pids: s.pids } }),
    stopped: (s, ms, problem) => line({ step: 'stopped', ok: !problem, ms, figures: { pids: s.pids, ...(problem ? { problem } : {}) } }),
  };
}

function endpoints(s: DemoStack) {
  return { proxy: s.proxyUrl, admin: s.adminUrl, adminToken: s.addresses.adminToken, legacy: s.legacy.url, new: s.fresh().url };
}

export function textPrinter(write: Write): DemoPrinter {
  return {
    banner: (size) =>
      write(
        `strangler demo: the legacy PHP friendship app strangled onto the new service, one endpoint at a time` +
          `${size === 'small' ? ' (small seed)' : ''}\n\n`,
      ),
    begin: (label, title) => write(`▶ ${label}: ${title}\n`),
    progress: (l) => write(`    … ${l}\n`),
    step: (name, title, ms, r) => {
      if (name === 'start') {
        write(`✔ started in ${secs(ms)}\n\n`);
        return;
      }
      for (const l of r.lines) write(l === '' ? '\n' : `    ${l}\n`);
      write(r.ok ? `✔ ${name} (${secs(ms)})\n\n` : `✘ ${name}: ${r.problem ?? 'failed'}\n\n`);
    },
    urls: (s) => {
      const e = endpoints(s);
      write(
        [
          'Everything is up:',
          `  proxy        ${e.proxy}          e.g. curl -H 'X-User-Id: 7' ${e.proxy}/api/users/7`,
          `  admin API    ${e.admin}          token ${e.adminToken}`,
          `  console      ${e.admin}/console/ sign in with the token ${e.adminToken}`,
          `  legacy PHP   ${e.legacy}`,
          `  new service  ${e.new}`,
          `  try:         export STRANGLER_ADMIN_TOKEN=${e.adminToken}`,
          `               node dist/cli/main.js routes list --admin ${e.admin}`,
          `               node dist/cli/main.js routes set users.get --new 5 --admin ${e.admin}`,
          `               STRANGLER_DEMO_DIR=${s.addresses.workDir} node dist/cli/main.js diffs report -c ${path.relative(process.cwd(), DEMO_CONFIG_FILE) || DEMO_CONFIG_FILE}`,
          '',
        ].join('\n') + '\n',
      );
    },
    stopped: (_s, ms, problem) => write(problem ? `✘ stopping: ${problem}\n` : `stopped everything the demo started (${secs(ms)})\n`),
  };
}

export function holdMessage(write: Write): void {
  write('Press Ctrl-C to stop everything.\n');
}
