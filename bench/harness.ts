/**
 * A small benchmark harness: warms up, then times batches with
 * `performance.now()` and reports the median and p99 of the per-operation time.
 * Figures are printed, never asserted: timings do not fail CI.
 */
import { cpus, totalmem } from 'node:os';

export interface Figure {
  name: string;
  median: number;
  p99: number;
  unit: 'µs' | 'ms';
  opsPerSecond: number;
}

/** One line naming the machine the figures come from. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** Times `fn` in `samples` batches of `batch` calls after a warm-up. */
export function measure(name: string, fn: () => unknown, { batch = 1000, samples = 50 } = {}): Figure {
  for (let i = 0; i < batch * 5; i++) fn();
  const perOp: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) fn();
    perOp.push((performance.now() - start) / batch);
  }
  perOp.sort((a, b) => a - b);
  const median = percentile(perOp, 0.5);
  return { name, median: median * 1000, p99: percentile(perOp, 0.99) * 1000, unit: 'µs', opsPerSecond: 1000 / median };
}

/** Prints a table of figures, each compared to the first (the baseline) where asked. */
export function report(title: string, method: string, figures: Figure[], baseline?: Figure): void {
  console.log(`\n## ${title}\nmethod: ${method}`);
  for (const f of figures) {
    const ratio = baseline && f !== baseline ? `  (${(f.median / baseline.median).toFixed(2)}× baseline)` : baseline === f ? '  (baseline)' : '';
    console.log(
      `  ${f.name.padEnd(48)} median ${f.median.toFixed(3).padStart(9)} ${f.unit}  p99 ${f.p99.toFixed(3).padStart(9)} ${f.unit}  ${Math.round(f.opsPerSecond).toLocaleString('en').padStart(12)} ops/s${ratio}`,
    );
  }
}

const sortedCopy = (values: number[]) => [...values].sort((a, b) => a - b);
export const median = (values: number[]) => sortedCopy(values)[Math.floor(values.length / 2)];
export const p95 = (values: number[]) => sortedCopy(values)[Math.min(values.length - 1, Math.floor(values.length * 0.95))];

/** One line of browser timings in ms: median and p95 of the samples, beside the budget. */
export const timingLine = (name: string, values: number[], budget: string) =>
  console.log(
    `  ${name.padEnd(58)} median ${median(values).toFixed(2).padStart(7)} ms  p95 ${p95(values).toFixed(2).padStart(7)} ms  (n=${values.length}; budget ${budget})`,
  );
