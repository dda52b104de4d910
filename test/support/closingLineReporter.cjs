// The spec reporter, plus the plain closing line CI counts:
// "N passed, N failed" (", N skipped" when some were pending), from mocha's own stats.
const Mocha = require('mocha');

class ClosingLineReporter extends Mocha.reporters.Spec {
  epilogue(...args) {
    super.epilogue(...args);
    const { passes, failures, pending } = this.stats;
    const skipped = pending ? `, ${pending} skipped` : '';
    process.stdout.write(`${passes} passed, ${failures} failed${skipped}\n`);
  }
}

module.exports = ClosingLineReporter;
