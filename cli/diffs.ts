import { Command } from 'commander';
import type { CliIo } from './io.js';
import { diffsReportCommand } from './diffs-report.js';
import { diffsShowCommand } from './diffs-show.js';

export function diffsCommand(io: CliIo): Command {
  return new Command('diffs')
    .description('read what shadowed routes answered: reports that gate a flip, and single pairs')
    .addCommand(diffsReportCommand(io))
    .addCommand(diffsShowCommand(io));
}
