import { setFlagsFromString } from 'node:v8';

/**
 * Keeps the worker's heaps near what they hold. By its own factor V8 lets a heap grow up to four
 * times past what was live at its last full collection, and seldom hands the pages back: after a
 * burst of bookings the worker kept hundreds of megabytes it no longer used. V8's flags are the
 * process's, so this holds for the workflow thread too; set before it starts. 0 leaves V8's choice.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
