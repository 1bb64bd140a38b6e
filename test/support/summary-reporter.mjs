/**
 * Prints the run's totals as one plain line ("N passed, N failed, N skipped") after jest's own
 * summary, so that CI, which does not parse jest's format, can read what ran.
 */
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`);
  }
}
