/**
 * The repository rule for tests that need a system package: on a developer machine that
 * lacks it they skip with a visible notice, and under CI (CI=true) they fail, because CI
 * must run every suite and a silent skip there would hide a missing install step in
 * .ci/run.
 */

export interface SystemToolRequirement {
  /** Pass to `describe.skipIf(...)`: true only when the tool is missing outside CI. */
  readonly skip: boolean;
  readonly available: boolean;
  /** Call in a `beforeAll`: throws under CI when the tool is missing, so the suite fails. */
  assertAvailable(): void;
}

export function isContinuousIntegration(): boolean {
  return process.env['CI'] === 'true';
}

/**
 * @param name what the tests need, as a reader knows it (`apache2`)
 * @param available whether this machine has it
 * @param aptPackages the Debian packages that bring it, for the notice
 */
export function requireSystemTool(name: string, available: boolean, aptPackages: string = name): SystemToolRequirement {
  const message = `${name} is not installed; run .ci/run or apt-get install ${aptPackages}`;
  const underCi = isContinuousIntegration();
  if (!available && !underCi) {
    console.warn(`SKIPPED: ${message}`);
  }
  return {
    skip: !available && !underCi,
    available,
    assertAvailable(): void {
      if (!available) {
        throw new Error(`${message} (CI=true: suites that need it must run, not skip)`);
      }
    },
  };
}
