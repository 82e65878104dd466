/**
 * `State<T>`: a value that replays its current state and emits only when it
 * changed by value. The reference client and every adapter build the `Call`'s
 * observables from it. No DOM here.
 */
import { BehaviorSubject, Observable } from 'rxjs';
import { sameValue } from './capabilities.js';

export class State<T> {
  readonly #subject: BehaviorSubject<T>;
  /** Replays the current value; emits only on a change by value. */
  readonly $: Observable<T>;

  constructor(value: T) {
    this.#subject = new BehaviorSubject(value);
    // `set()` lets only changes through, so nothing here needs to de-duplicate.
    this.$ = this.#subject.asObservable();
  }

  get value(): T {
    return this.#subject.value;
  }

  set(value: T): void {
    if (!this.#subject.closed && !sameValue(value, this.#subject.value)) this.#subject.next(value);
  }

  /** Whether anyone is subscribed (tests use it to prove teardown). */
  get observed(): boolean {
    return this.#subject.observed;
  }

  /** Completes the observable: subscribers are released. */
  complete(): void {
    this.#subject.complete();
  }
}

/**
 * `source$` through `pick`, emitting only on a change by value: rxjs'
 * `map` + `distinctUntilChanged`, written out because their operator machinery
 * (about 0.3 KB gzip) does not fit the classic script's budget.
 */
export const derive = <T, R>(source$: Observable<T>, pick: (value: T) => R): Observable<R> =>
  new Observable<R>((subscriber) => {
    let last: [R] | undefined;
    return source$.subscribe({
      next(value) {
        const next = pick(value);
        if (!last || !sameValue(last[0], next)) subscriber.next((last = [next])[0]);
      },
      error: (error) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
  });
