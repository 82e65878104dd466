/** Small helpers for observing a Call's observables in tests. */
import { filter, firstValueFrom, type Observable } from 'rxjs';

/** Resolves with the first value of `value$` that passes `test`; rejects after `ms`. */
export const until = <T>(value$: Observable<T>, test: (value: T) => boolean, ms = 3000): Promise<T> =>
  Promise.race([
    firstValueFrom(value$.pipe(filter(test))),
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out waiting for a value')), ms)),
  ]);

/** Records every emission of an observable. */
export function record<T>(value$: Observable<T>): T[] {
  const values: T[] = [];
  value$.subscribe((v) => values.push(v));
  return values;
}
