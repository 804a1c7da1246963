// The skipped tests a CI run (PAUSEKIT_REQUIRE_ENGINES=1) accepts, each with
// why. Any other skipped (or todo) test fails the run: see skip-reporter.ts.
// Empty: CI has every engine, so every test runs there. An entry names the
// test file (from the repository's root) and a pattern of the test's full
// title (its describe() titles and its own, joined by " > ").

export interface AllowedSkip {
  file: string;
  title: RegExp;
  reason: string;
}

export const ALLOWED_SKIPS: readonly AllowedSkip[] = [];
