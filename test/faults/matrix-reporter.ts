import Table from 'cli-table3';
import pc from 'picocolors';
import type { Reporter, TestModule } from 'vitest/node';
import type { FaultRow } from './fault-matrix.js';

/**
 * Prints the fault-injection matrix after the run: every test that declared a row (fault-matrix.ts) with its
 * scenario, expected and observed outcome, and pass/fail from vitest's own result; then the totals.
 * Used by `npm run test:faults` next to the default reporter.
 */
export default class FaultMatrixReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: { row: FaultRow; state: string }[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const row = test.meta().faultRow;
        if (row) rows.push({ row, state: test.result().state });
      }
    }
    if (rows.length === 0) return;
    const width = Math.max(100, process.stdout.columns ?? 160);
    const table = new Table({
      head: ['#', 'scenario', 'expected', 'observed', 'result'],
      colWidths: [4, Math.floor(width * 0.22), Math.floor(width * 0.3), Math.floor(width * 0.33), 8],
      wordWrap: true,
    });
    rows.forEach(({ row, state }, i) => {
      const result = state === 'passed' ? pc.green('PASS') : state === 'failed' ? pc.red('FAIL') : pc.yellow(state.toUpperCase());
      table.push([String(i + 1), row.scenario, row.expected, row.observed, result]);
    });
    const passed = rows.filter((r) => r.state === 'passed').length;
    const failed = rows.filter((r) => r.state === 'failed').length;
    const other = rows.length - passed - failed;
    process.stdout.write(`\nFault-injection matrix\n${table.toString()}\n`);
    process.stdout.write(`${rows.length} scenarios: ${pc.green(`${passed} passed`)}, ${failed > 0 ? pc.red(`${failed} failed`) : '0 failed'}${other > 0 ? `, ${other} not run` : ''}\n`);
  }
}
