// `pausekit soak`: orphans by the hundred thousand and signal storms through
// one pause as PID 1 per design, and the verdict. The C program
// bench/soak.c (build/bench/soak) does the forking, signalling and reading
// of /proc; this module runs it, reads its lines, and judges each figure
// against what pause promises: no zombie left after any wave, an idle
// resident set that does not grow, a storm it survives, and a SIGTERM after
// it all that still ends it with its message and exit 0.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PausekitError } from '../errors.ts';
import { pauseBinary } from '../engines/kernel/engine.ts';
import { counted } from '../scenario/report.ts';
import type { Design } from '../scenario/types.ts';
import { benchTool, defaultWorkDir, shownPath, type Built } from './build.ts';
import { table } from './format.ts';

/** The soak program (bench/soak.c), built into the default work directory when missing or older than its source. */
const soakProgram = (): Built => benchTool(defaultWorkDir(), 'soak');

/** The figures the verdict holds pause to. */
export const LIMITS = {
  /** Signals per second the storm's senders must reach together. */
  signalRate: 100_000,
  /** SIGTERM to exit after the storm; the bench measures ~0.1 ms unloaded. */
  termLatencyMs: 250,
} as const;

/** Orphans in a wave on average when --waves is not given. */
export const DEFAULT_WAVE_SIZE = 2500;
/** The largest average wave bench/soak.c takes (a wave varies up to 1.5×). */
export const MAX_WAVE_SIZE = 13_333;

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ). */
const USER_HZ = 100;

export interface SoakOptions {
  orphans: number;
  waves: number;
  /** Storm senders (half inside pause's namespace, half outside); 0: no storm. */
  stormSenders: number;
  stormSeconds: number;
  designs: Design[];
  seed: number;
  /** How long pause may take to reap a wave's last orphan. */
  reapTimeoutMs: number;
  /** Another pause binary (a mutant, a build under test); one design only. */
  binary?: string;
  progress?: (text: string) => void;
}

export interface Wave {
  index: number;
  kind: 'burst' | 'zombies' | 'chain' | 'stopped';
  orphans: number;
  /** Made while the storm raged. */
  storm: boolean;
  ns: number;
  /** From the last orphan's exit to pause's last reap. */
  reapLagNs: number;
  /** pause's children (zombies or not) when the wave ended, and of those the zombies. */
  childrenLeft: number;
  zombiesLeft: number;
  vmRssKb: number;
  vmHwmKb: number;
  /** pause's CPU so far: utime + stime (ticks), and its run time (ns, schedstat). */
  cpuTicks: number;
  cpuNs: number;
}

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export interface DesignSoak {
  design: Design;
  binary: string;
  start?: { vmRssKb: number; cpuTicks: number; cpuNs: number };
  waves: Wave[];
  storm?: { senders: number; signals: number; ns: number; childrenLeft?: number };
  exit?: { status: number; termNs: number; stderr: string };
  /** What stopped the run early, if anything. */
  error?: string;
  summary: {
    orphans: number;
    stormOrphans: number;
    zombiesLeft: number;
    /** Time of the waves before the storm, and orphans through pause per second of it. */
    ns: number;
    orphansPerSecond: number;
    /** pause's CPU per orphan of the waves before the storm: utime+stime, and schedstat. */
    cpuPerOrphanNs: number;
    schedCpuPerOrphanNs: number;
    rssFirstKb: number;
    rssLastKb: number;
    rssMaxKb: number;
    signalsPerSecond: number;
  };
  checks: Check[];
}

export interface SoakResult {
  version: 1;
  options: Omit<SoakOptions, 'progress'>;
  started: string;
  designs: DesignSoak[];
  ok: boolean;
}

/** Why the soak cannot run here, or undefined. */
export function soakUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `the soak needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the soak needs root: it starts pause as PID 1 of a new PID namespace and enters it';
  const built = soakProgram();
  if (built.reason !== undefined) return `the soak's program (bench/soak.c) ${built.reason}`;
  return undefined;
}

/** Checks the sizes before anything runs; each error names the option and the value. */
export function validateSoakOptions(o: SoakOptions): void {
  const bad = (field: string, value: unknown, why: string): never => {
    throw new PausekitError(`soak: --${field}: ${why}, got ${String(value)}`, { field, value });
  };
  if (o.waves > o.orphans) bad('waves', o.waves, `at most --orphans (${o.orphans})`);
  if (o.orphans / o.waves > MAX_WAVE_SIZE) {
    bad('waves', o.waves, `at least ${Math.ceil(o.orphans / MAX_WAVE_SIZE)} for ${o.orphans} orphans (a wave averages at most ${MAX_WAVE_SIZE}; the host's pid_max bounds it)`);
  }
  if (o.stormSenders > 64) bad('storm-senders', o.stormSenders, 'at most 64');
  if (o.binary !== undefined && o.designs.length !== 1) bad('pause', o.binary, 'a custom binary needs one --design (the one it was built with)');
  if (o.binary !== undefined && !existsSync(o.binary)) bad('pause', o.binary, 'no such file');
}

/** Runs bench/soak.c on one design and collects its lines. */
function soakOne(design: Design, o: SoakOptions, binary: string): Promise<Omit<DesignSoak, 'summary' | 'checks'>> {
  const run: Omit<DesignSoak, 'summary' | 'checks'> = { design, binary: shownPath(binary), waves: [] };
  const args = [binary, o.orphans, o.waves, o.stormSenders, Math.round(o.stormSeconds * 1000), o.seed, o.reapTimeoutMs].map(String);
  // soak.c dies with us (PR_SET_PDEATHSIG) and takes pause's namespace along.
  const child = spawn(soakProgram().path!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const f = line.split('\t');
    const n = f.map(Number);
    switch (f[0]) {
      case 'S':
        run.start = { vmRssKb: n[2]!, cpuTicks: n[3]!, cpuNs: n[4]! };
        break;
      case 'W': {
        const wave: Wave = {
          index: n[1]!, kind: f[2] as Wave['kind'], orphans: n[3]!, storm: f[4] === '1', ns: n[5]!, reapLagNs: n[6]!,
          childrenLeft: n[7]!, zombiesLeft: n[8]!, vmRssKb: n[9]!, vmHwmKb: n[10]!, cpuTicks: n[11]!, cpuNs: n[12]!,
        };
        run.waves.push(wave);
        const total = o.waves;
        o.progress?.(`soak ${design}: ${wave.storm ? `storm wave ${wave.index - total + 1}` : `wave ${wave.index + 1}/${total}`} (${wave.kind}, ${wave.orphans} orphans)`);
        break;
      }
      case 'T':
        run.storm = { senders: n[1]!, signals: n[2]!, ns: n[3]! };
        break;
      case 'A':
        if (run.storm) run.storm.childrenLeft = n[1]!;
        break;
      case 'X':
        run.exit = { status: n[1]!, termNs: n[2]!, stderr: Buffer.from(f[3] ?? '', 'hex').toString('utf8') };
        break;
      case 'E':
        run.error = f.slice(1).join(' ');
        break;
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      if (run.error === undefined && (code !== 0 || run.exit === undefined)) {
        run.error = `bench/soak.c ended with ${signal ?? `exit ${code}`}${stderr ? `: ${stderr.trim()}` : ''}`;
      }
      resolve(run);
    });
  });
}

/** The figures of one design's run and the verdict on each promise. */
export function judge(run: Omit<DesignSoak, 'summary' | 'checks'>, o: Pick<SoakOptions, 'stormSenders' | 'stormSeconds'>): DesignSoak {
  const calm = run.waves.filter((w) => !w.storm);
  const stormy = run.waves.filter((w) => w.storm);
  const sum = (ws: Wave[], f: (w: Wave) => number): number => ws.reduce((a, w) => a + f(w), 0);
  const orphans = sum(calm, (w) => w.orphans);
  const ns = sum(calm, (w) => w.ns);
  const lastCalm = calm.at(-1);
  const start = run.start ?? { vmRssKb: NaN, cpuTicks: NaN, cpuNs: NaN };
  const rss = run.waves.map((w) => w.vmRssKb);
  const stormed = o.stormSenders > 0 && o.stormSeconds > 0;
  const signalsPerSecond = run.storm ? run.storm.signals / (run.storm.ns / 1e9) : NaN;
  const summary: DesignSoak['summary'] = {
    orphans,
    stormOrphans: sum(stormy, (w) => w.orphans),
    zombiesLeft: sum(run.waves, (w) => w.zombiesLeft),
    ns,
    orphansPerSecond: orphans / (ns / 1e9),
    cpuPerOrphanNs: lastCalm ? ((lastCalm.cpuTicks - start.cpuTicks) * (1e9 / USER_HZ)) / orphans : NaN,
    schedCpuPerOrphanNs: lastCalm ? (lastCalm.cpuNs - start.cpuNs) / orphans : NaN,
    rssFirstKb: rss[0] ?? NaN,
    rssLastKb: rss.at(-1) ?? NaN,
    rssMaxKb: rss.length ? Math.max(...rss) : NaN,
    signalsPerSecond,
  };
  const checks: Check[] = [];
  const check = (what: string, ok: boolean, detail: string): void => {
    checks.push({ what, ok, detail });
  };
  check('the run completed', run.error === undefined, run.error ?? counted(run.waves.length, 'wave'));
  const leaky = run.waves.filter((w) => w.childrenLeft > 0);
  check('no zombie left at the end of any wave', run.waves.length > 0 && leaky.length === 0,
    leaky.length === 0 ? `${counted(run.waves.length, 'wave')}, every orphan reaped`
      : `${counted(leaky.length, 'wave')} left children, first: wave ${leaky[0]!.index} (${leaky[0]!.kind}): ${leaky[0]!.childrenLeft} left, ${leaky[0]!.zombiesLeft} of them zombies`);
  check('idle RSS flat from the first wave to the last', rss.length > 0 && summary.rssLastKb <= summary.rssFirstKb,
    `VmRSS ${summary.rssFirstKb} kB after the first wave, ${summary.rssLastKb} kB after the last (max ${summary.rssMaxKb} kB)`);
  if (stormed) {
    check('survived the storm, no child left after it', run.storm?.childrenLeft === 0,
      run.storm?.childrenLeft === undefined ? 'pause did not come through the storm' : `${run.storm.childrenLeft} children left`);
    check(`storm held at least ${LIMITS.signalRate.toLocaleString('en-US')} signals/s`, signalsPerSecond >= LIMITS.signalRate,
      run.storm ? `${Math.round(signalsPerSecond).toLocaleString('en-US')} signals/s (${run.storm.signals.toLocaleString('en-US')} in ${(run.storm.ns / 1e9).toFixed(1)} s, ${run.storm.senders} senders)` : 'no storm');
  }
  const line = 'Shutting down, got signal: Terminated\n';
  check('SIGTERM ends it with its message and exit 0', run.exit?.status === 0 && run.exit.stderr === line,
    run.exit === undefined ? 'never sent' : `wait status ${run.exit.status}, stderr ${JSON.stringify(run.exit.stderr)}`);
  check(`SIGTERM to exit within ${LIMITS.termLatencyMs} ms`, run.exit !== undefined && run.exit.termNs <= LIMITS.termLatencyMs * 1e6,
    run.exit === undefined ? 'never sent' : `${(run.exit.termNs / 1e6).toFixed(2)} ms`);
  return { ...run, summary, checks };
}

/** Soaks each design in turn; the result says which promises held. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  validateSoakOptions(options);
  const unavailable = soakUnavailable();
  if (unavailable !== undefined) throw new PausekitError(`soak: ${unavailable}`, { kind: 'unavailable' });
  const started = new Date().toISOString();
  const designs: DesignSoak[] = [];
  for (const design of options.designs) {
    const binary = options.binary ?? pauseBinary(design);
    if (!existsSync(binary)) throw new PausekitError(`soak: pause binary ${binary} is missing (run 'npm run build')`, { file: binary });
    designs.push(judge(await soakOne(design, options, binary), options));
  }
  const { progress: _progress, ...rest } = options;
  return { version: 1, options: rest, started, designs, ok: designs.every((d) => d.checks.every((c) => c.ok)) };
}

const us = (ns: number): string => (Number.isFinite(ns) ? `${(ns / 1000).toFixed(2)} µs` : '-');
const count = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');

/** The figures side by side, then every check; plain text for the terminal. */
export function formatSoak(result: SoakResult): string {
  const o = result.options;
  const figures = table(['design', 'orphans', 'waves', 'zombies left', 'RSS first', 'RSS last', 'duration', 'orphans/s', 'CPU/orphan', 'sched CPU/orphan', 'storm signals/s', 'storm orphans', 'SIGTERM→exit'],
    result.designs.map((d) => [
      d.design, count(d.summary.orphans), String(d.waves.filter((w) => !w.storm).length), count(d.summary.zombiesLeft),
      `${d.summary.rssFirstKb} kB`, `${d.summary.rssLastKb} kB`, `${(d.summary.ns / 1e9).toFixed(1)} s`,
      `${count(d.summary.orphansPerSecond)}/s`, us(d.summary.cpuPerOrphanNs), us(d.summary.schedCpuPerOrphanNs),
      Number.isFinite(d.summary.signalsPerSecond) ? `${count(d.summary.signalsPerSecond)}/s` : '-',
      count(d.summary.stormOrphans), d.exit ? us(d.exit.termNs) : '-',
    ]));
  const checks = result.designs.flatMap((d) => d.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${d.design}: ${c.what}: ${c.detail}`));
  return [
    `pausekit soak: ${count(o.orphans)} orphans in ${o.waves} waves per design, storm ${o.stormSenders} senders × ${o.stormSeconds} s; seed ${o.seed}`,
    '',
    figures,
    '',
    'CPU/orphan: utime+stime of /proc/PID/stat (10 ms ticks) over the waves before the storm; sched: /proc/PID/schedstat.',
    '',
    ...checks,
    '',
    result.ok ? 'soak: every check held' : 'soak: FAILED',
    '',
  ].join('\n');
}
