import { Command } from 'commander';
import { StranglerError } from '../core/errors.js';
import { formatRecord } from '../diffs/format-record.js';
import type { CliIo } from './io.js';
import { recordSource, sourceRecords } from './diffs-source.js';

export function diffsShowCommand(io: CliIo): Command {
  return new Command('show')
    .description('print one compared pair side by side: statuses, latencies, each difference with both values')
    .argument('<id>', 'the record id (from the JSONL file or diffs report --format json)')
    .option('-c, --config <file>', 'config file: read the diff records its proxy writes')
    .option('--file <path>', 'read this diffs JSONL file instead')
    .option('--json', 'print the record as JSON')
    .action(async (id: string, flags: { config?: string; file?: string; json?: boolean }) => {
      const source = recordSource(flags, io.env);
      for await (const record of sourceRecords(source)) {
        if (record.id === id) {
          io.stdout.write(flags.json ? JSON.stringify(record, null, 2) + '\n' : formatRecord(record));
          return;
        }
      }
      throw new StranglerError('STRANGLER_E_DIFFS_RECORD_NOT_FOUND', `no diff record with id "${id}" in ${source.label} (and its rotated files)`, {
        hint: 'copy an id from the JSONL file or from diffs report --format json',
      });
    });
}
