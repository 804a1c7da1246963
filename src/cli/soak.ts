// `pausekit soak`: a million orphans in waves and signal storms through pause
// as PID 1, each design in turn; the figures to stdout, progress to stderr.
// Exits 0 when every check held, 1 when one failed.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { choice, parseCommand, positiveInteger } from './args.ts';
import { PausekitError } from '../errors.ts';
import { DEFAULT_WAVE_SIZE, formatSoak, runSoak } from '../bench/soak.ts';
import { DESIGNS, type Design } from '../scenario/types.ts';

const CHOICES = [...DESIGNS, 'all'] as const;

const USAGE = `usage: pausekit soak [--orphans N] [--waves N] [--storm-senders N] [--storm-seconds S]
                    [--design sigwait|handlers|autoreap|all] [--pause FILE] [--seed N]
                    [--reap-timeout-ms N] [--json FILE]

  --orphans N          orphans through pause per design, in waves (default 1000000)
  --waves N            how many waves (default: one per ${DEFAULT_WAVE_SIZE} orphans); sizes vary around the mean,
                       kinds in turn: burst, zombies, chain, stopped
  --storm-senders N    processes firing every catchable signal but INT and TERM at pause, half from
                       inside its namespace, half from outside (default 4; 0: no storm)
  --storm-seconds S    how long the storm lasts, with waves of orphans meanwhile
                       (default 10; 0: no storm)
  --design D           sigwait, handlers, autoreap or all (default all)
  --pause FILE         soak this pause binary instead (with one --design, the one it was built with)
  --seed N             seed of the wave sizes (default: random, printed)
  --reap-timeout-ms N  how long pause may take to reap a wave's last orphan (default 10000)
  --json FILE          also write every wave's figures and the checks as JSON`;

const SPEC = {
  name: 'soak',
  usage: USAGE,
  options: {
    orphans: { type: 'string' },
    waves: { type: 'string' },
    'storm-senders': { type: 'string' },
    'storm-seconds': { type: 'string' },
    design: { type: 'string' },
    pause: { type: 'string' },
    seed: { type: 'string' },
    'reap-timeout-ms': { type: 'string' },
    json: { type: 'string' },
  },
} as const;

/** `text` as an integer >= 0 (0 turns the storm off); else an error naming the option. */
function nonNegative(option: string, text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) {
    throw new PausekitError(`soak: --${option}: expected a number >= 0, got "${text}"`, { field: option, value: text });
  }
  return n;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const v = parsed.values;
  const orphans = v.orphans === undefined ? 1_000_000 : positiveInteger('soak', 'orphans', v.orphans);
  const waves = v.waves === undefined ? Math.max(1, Math.ceil(orphans / DEFAULT_WAVE_SIZE)) : positiveInteger('soak', 'waves', v.waves);
  const stormSenders = v['storm-senders'] === undefined ? 4 : Math.floor(nonNegative('storm-senders', v['storm-senders']));
  const stormSeconds = v['storm-seconds'] === undefined ? 10 : nonNegative('storm-seconds', v['storm-seconds']);
  const design = v.design === undefined ? 'all' : choice('soak', 'design', v.design, CHOICES);
  const designs: Design[] = design === 'all' ? [...DESIGNS] : [design];
  const seed = v.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positiveInteger('soak', 'seed', v.seed);
  const reapTimeoutMs = v['reap-timeout-ms'] === undefined ? 10_000 : positiveInteger('soak', 'reap-timeout-ms', v['reap-timeout-ms']);
  const tty = process.stderr.isTTY;
  let lastReport = 0;
  const progress = (text: string): void => {
    if (tty) {
      process.stderr.write(`\r\x1b[K${text}`);
    } else if (Date.now() - lastReport >= 5000) {
      // A line every few seconds, not one per wave: logs stay readable.
      process.stderr.write(`${text}\n`);
      lastReport = Date.now();
    }
  };
  process.stderr.write(`pausekit soak: seed ${seed} (replay: pausekit soak ${args.filter((a, i) => a !== '--seed' && args[i - 1] !== '--seed').join(' ')}${args.length ? ' ' : ''}--seed ${seed})\n`);
  const result = await runSoak({
    orphans, waves, stormSenders, stormSeconds, designs, seed, reapTimeoutMs, progress,
    ...(v.pause === undefined ? {} : { binary: resolve(v.pause) }),
  });
  if (tty) process.stderr.write('\r\x1b[K');
  process.stdout.write(formatSoak(result));
  if (v.json !== undefined) {
    // Written whole, then renamed: a half-written file never survives.
    const file = resolve(v.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(result) + '\n');
    renameSync(`${file}.tmp`, file);
    process.stdout.write(`json: ${v.json}\n`);
  }
  return result.ok ? 0 : 1;
}
