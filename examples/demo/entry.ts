/** What `strangler demo` (cli/demo.ts) takes from the demo: its one entry, so the CLI needs no demo internals. */
export { runDemo, type DemoSize } from './playbook.js';
export { holdMessage, jsonPrinter, textPrinter } from './printer.js';
export type { DemoStack } from './stack.js';
