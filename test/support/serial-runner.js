/**
 * The real suites' jest runner: jest's own runner, marked serial, so jest runs these suites one
 * after the other in its main process (as `--runInBand` would), never two at once: they share
 * /etc/neutron, /run, network namespaces and daemons. Jest runs the runners of a run one after the
 * other, so they never overlap the unit suites either (those run in parallel workers).
 */
const TestRunner = require("jest-runner").default;

class SerialRunner extends TestRunner {
  constructor(...args) {
    super(...args);
    // An own property: jest-runner declares `isSerial` as a class field, which would hide a getter.
    this.isSerial = true;
  }
}

module.exports = SerialRunner;
