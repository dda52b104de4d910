// Mocha runs the TypeScript through tsx, as the product does.
module.exports = {
  'node-option': ['import=tsx'],
  extension: ['ts'],
  reporter: './test/support/closingLineReporter.cjs',
  timeout: 30000,
  slow: 2000,
  exit: true,
};
