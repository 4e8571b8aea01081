/**
 * `describe` when this machine can run what a suite needs (root, packages, kernel features: the
 * missing ones listed by `missing`), else `describe.skip`; with DVR_LAB_REQUIRE_REAL=1 (CI as root)
 * a machine that cannot run it FAILS instead, naming what is missing.
 */
export function describeWhenPossible(what: string, missing: readonly string[], title: string, body: () => void): void {
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  if (process.env.DVR_LAB_REQUIRE_REAL === "1") {
    describe(title, () => {
      test(`machine can run ${what}`, () => {
        throw new Error(`DVR_LAB_REQUIRE_REAL=1 but this machine cannot run ${what}: ${missing.join(", ")}`);
      });
    });
    return;
  }
  // Skipped silently: test/global-setup.ts has said once which real suites skip and why.
  describe.skip(title, body);
}
