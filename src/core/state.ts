/**
 * `State<T>`: a value that replays its current state and emits only when it
 * changed by value. The reference client and every adapter build the `Call`'s
 * observables from it. No DOM here.
 */
import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import { sameValue } from './capabilities.js';

export class State<T> {
  readonly #subject: BehaviorSubject<T>;
  /** Replays the current value; emits only on a change by value. */
  readonly $: Observable<T>;

  constructor(value: T) {
    this.#subject = new BehaviorSubject(value);
    this.$ = this.#subject.pipe(distinctUntilChanged<T>(sameValue));
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
