/**
 * `State<T>`: a value that replays its current state and emits only when it
 * changed by value, and `Events<T>`, values for whoever is subscribed. The
 * reference client and every adapter build the `Call`'s observables from
 * them. No DOM here.
 */
import { Observable, type Subscriber } from 'rxjs';
import { sameValue } from './capabilities.js';

/**
 * Values for whoever subscribes at the time: rxjs' `Subject`, written out on
 * `Observable` because its machinery (with `BehaviorSubject`'s, about 0.3 KB
 * gzip) does not fit the classic script's budget. Subscribers are reached in
 * the order they came, each through its own `Subscriber` (which reports what
 * a callback throws, as with a `Subject`).
 */
export class Events<T> {
  protected readonly _subscribers = new Set<Subscriber<T>>();
  protected _closed = false;
  readonly $: Observable<T> = new Observable<T>((subscriber) => {
    this._join(subscriber);
    if (this._closed) return subscriber.complete();
    this._subscribers.add(subscriber);
    return () => this._subscribers.delete(subscriber);
  });

  /** What a new subscriber gets first (nothing here; a `State` replays its value). */
  protected _join(_subscriber: Subscriber<T>): void {}

  emit(value: T): void {
    if (!this._closed) for (const subscriber of [...this._subscribers]) subscriber.next(value);
  }

  /** Whether anyone is subscribed (tests use it to prove teardown). */
  get observed(): boolean {
    return this._subscribers.size > 0;
  }

  /** Completes the observable: subscribers are released, and later ones complete at once. */
  complete(): void {
    this._closed = true;
    for (const subscriber of [...this._subscribers]) subscriber.complete();
    this._subscribers.clear();
  }
}

/** A value that replays its current state and emits only when it changed by value (rxjs' `BehaviorSubject`, filtered). */
export class State<T> extends Events<T> {
  #value: T;

  constructor(value: T) {
    super();
    this.#value = value;
  }

  protected override _join(subscriber: Subscriber<T>): void {
    if (!this._closed) subscriber.next(this.#value);
  }

  get value(): T {
    return this.#value;
  }

  set(value: T): void {
    if (!this._closed && !sameValue(value, this.#value)) this.emit((this.#value = value));
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
