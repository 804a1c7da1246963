// At the end of every run, the skipped tests: how many, in which files, and
// the reasons the gate (gate.ts) printed. A CI run (PAUSEKIT_REQUIRE_ENGINES=1)
// fails if any skipped or todo test is not on the allow-list
// (allowed-skips.ts), so a machine that cannot run the kernel, a design's
// binary or an engine cannot go green on what it did not run.
//
// It cannot be left out: vitest.config.ts adds it with a plugin, which puts
// it among the reporters after the command line has chosen its own
// (`--reporter dot` replaces the configured ones, not this one).
// test/skip-gate.test.ts runs vitest on a planted skip to prove it fails.
import { relative } from 'node:path';
import type { Plugin } from 'vitest/config';
import type { UserConsoleLog } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node';
import { ALLOWED_SKIPS, type AllowedSkip } from './allowed-skips.ts';

/** A skipped test: its file (from the root), its full title, skip or todo, and the note ctx.skip() gave. */
export interface SkippedTest {
  file: string;
  title: string;
  mode: string;
  note: string | undefined;
}

/** The skipped and todo tests of a run's modules. */
export function skippedTests(modules: readonly TestModule[], root: string): SkippedTest[] {
  const skipped: SkippedTest[] = [];
  for (const module of modules) {
    for (const test of module.children.allTests()) {
      const result = test.result();
      if (result.state !== 'skipped') continue;
      skipped.push({ file: relative(root, module.moduleId), title: test.fullName, mode: test.options.mode, note: result.note });
    }
  }
  return skipped;
}

/** Is this skip on the allow-list? */
function allowed(test: SkippedTest, list: readonly AllowedSkip[]): boolean {
  return list.some((entry) => entry.file === test.file && entry.title.test(test.title));
}

/**
 * The verdict on a run's skips: the lines to print, and whether the run
 * fails (CI, and a skip not on the allow-list, unless a test name filter
 * chose the tests: then the filter skipped the others).
 */
export function judgeSkips(
  skipped: readonly SkippedTest[],
  options: { required: boolean; filtered: boolean; reasons: readonly string[]; allowList?: readonly AllowedSkip[] },
): { failed: boolean; lines: string[] } {
  const list = options.allowList ?? ALLOWED_SKIPS;
  const unexpected = skipped.filter((test) => !allowed(test, list));
  const lines = [`skipped tests: ${skipped.length} (${skipped.length - unexpected.length} on the allow-list, test/support/allowed-skips.ts)`];
  const byFile = new Map<string, SkippedTest[]>();
  for (const test of unexpected) byFile.set(test.file, [...(byFile.get(test.file) ?? []), test]);
  for (const [file, tests] of byFile) {
    lines.push(`  ${file}: ${tests.length} ${tests[0]!.mode === 'todo' ? 'todo' : 'skipped'}, such as "${tests[0]!.title}"${tests[0]!.note ? ` (${tests[0]!.note})` : ''}`);
  }
  for (const reason of new Set(options.reasons)) lines.push(`  ${reason}`);
  if (unexpected.length === 0 || !options.required) return { failed: false, lines };
  if (options.filtered) {
    lines.push('  (a test name filter chose the tests: the skips are not judged)');
    return { failed: false, lines };
  }
  lines.push(`PAUSEKIT_REQUIRE_ENGINES=1: ${unexpected.length} skipped test(s) not on the allow-list: the run fails`);
  return { failed: true, lines };
}

/** The reporter: collects the gate's reasons from the tests' output, judges the skips at the end. */
export class SkipReporter implements Reporter {
  #vitest: Vitest | undefined;
  readonly #reasons: string[] = [];

  onInit(vitest: Vitest): void {
    this.#vitest = vitest;
  }

  onUserConsoleLog(log: UserConsoleLog): void {
    for (const line of log.content.split('\n')) if (line.startsWith('skipping ')) this.#reasons.push(line);
  }

  onTestRunEnd(modules: readonly TestModule[], _errors: readonly unknown[], reason: TestRunEndReason): void {
    if (reason === 'interrupted' || this.#vitest === undefined) return;
    const verdict = judgeSkips(skippedTests(modules, this.#vitest.config.root), {
      required: process.env['PAUSEKIT_REQUIRE_ENGINES'] === '1',
      filtered: this.#vitest.config.testNamePattern !== undefined,
      reasons: this.#reasons,
    });
    for (const line of verdict.lines) this.#vitest.logger.log(line);
    if (verdict.failed) process.exitCode = 1;
  }
}

/** The plugin vitest.config.ts uses: adds the reporter to the run's reporters, whatever the command line chose. */
export function skipGate(): Plugin {
  return {
    name: 'pausekit-skip-gate',
    configureVitest({ vitest }) {
      vitest.config.reporters.push(new SkipReporter());
    },
  };
}
