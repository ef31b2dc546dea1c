import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import FakeTimers from '@sinonjs/fake-timers';

const MAX_TIMER_MS = 2_147_483_000;

/**
 * Local time that runs `scale` times faster (TIME_SCALE). Only `Date` is faked, so every
 * handler, the SDK and dynalite read the scaled clock, while real timers (sockets, retries,
 * the HTTP server) keep real time. Waits sleep through `sleepUntil`, which divides by the scale.
 *
 * With a state file (in the data folder) the clock never goes back across restarts: a scaled
 * clock runs ahead of real time, so a new process starting from real time would find every
 * stored instant (waits, pending starts, schedules) still in its future and sit idle until it
 * caught up. It resumes from the last time it saved instead.
 */
export class ScaledClock {
  private uninstall?: () => void;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly scale: number,
    private readonly stateFile?: string
  ) {
    if (!(scale >= 1)) throw new Error(`TIME_SCALE must be a number >= 1 (got ${scale})`);
  }

  private saved(): number {
    if (!this.stateFile || !existsSync(this.stateFile)) return 0;
    return Number(readFileSync(this.stateFile, 'utf8')) || 0;
  }

  private save(): void {
    if (this.stateFile) writeFileSync(this.stateFile, String(Date.now()));
  }

  start(): void {
    const realNow = Date.now.bind(Date);
    const from = Math.max(realNow(), this.saved());
    if (this.scale === 1 && from === realNow()) return;
    const realSetInterval = setInterval;
    const clock = FakeTimers.withGlobal(globalThis).install({ toFake: ['Date'], now: from });
    let last = realNow();
    let lastSave = last;
    const ticker = realSetInterval(() => {
      const now = realNow();
      clock.tick((now - last) * this.scale);
      last = now;
      if (now - lastSave >= 1_000) {
        this.save();
        lastSave = now;
      }
    }, 10);
    ticker.unref();
    this.uninstall = () => {
      clearInterval(ticker);
      this.save();
      clock.uninstall();
    };
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.uninstall?.();
    this.uninstall = undefined;
  }

  /** Resolves once the (scaled) clock reaches `until`; rejects when `signal` aborts. */
  async sleepUntil(until: number, signal?: AbortSignal): Promise<void> {
    while (Date.now() < until) {
      if (signal?.aborted) throw new Error('aborted');
      const realMs = Math.min(Math.ceil((until - Date.now()) / this.scale), MAX_TIMER_MS);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => {
            this.timers.delete(timer);
            resolve();
          },
          Math.max(realMs, 1)
        );
        this.timers.add(timer);
        signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            this.timers.delete(timer);
            reject(new Error('aborted'));
          },
          { once: true }
        );
      });
    }
  }
}
