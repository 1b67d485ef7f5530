// Order statistics for latency samples and repeated runs (nearest-rank percentiles, no interpolation).
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Samples the process's resident memory every few milliseconds and keeps the peak. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peak = 0;

  start(everyMs = 25): this {
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage.rss());
    }, everyMs);
    return this;
  }

  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    return this.peak;
  }
}

export const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
