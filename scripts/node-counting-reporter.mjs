// A reporter for Node's test runner: counts passed and failed tests (not
// suites) and writes them as JSON, for scripts/test.mjs to total.
export default async function* countingReporter(source) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for await (const event of source) {
    const details = event.data?.details;
    if (details?.type === 'suite') continue;
    if (event.type === 'test:pass') {
      if (event.data.skip || event.data.todo) totals.skipped++;
      else totals.passed++;
    } else if (event.type === 'test:fail') totals.failed++;
  }
  yield JSON.stringify(totals);
}
