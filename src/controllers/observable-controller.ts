import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Observable, Subscription } from 'rxjs';

/**
 * Binds an Observable to a Lit host: subscribes while the host is connected,
 * stores the latest value and asks the host to render it. Every element uses
 * this; no element subscribes by hand.
 *
 * ```ts
 * readonly #self = new ObservableController(this, undefined as Member | undefined);
 * willUpdate() { this.#self.source = this.call?.self$; }
 * render() { return this.#self.value?.name; }
 * ```
 */
export class ObservableController<T> implements ReactiveController {
  /** The latest value of the source, or the initial value before it emits. */
  value: T;

  readonly #host: ReactiveControllerHost;
  readonly #initial: T;
  #source: Observable<T> | null | undefined;
  #subscription: Subscription | null = null;
  #connected = false;

  constructor(host: ReactiveControllerHost, initial: T, source?: Observable<T> | null) {
    (this.#host = host).addController(this);
    this.value = this.#initial = initial;
    this.#source = source;
  }

  /** The bound observable. Setting another one drops the old subscription. */
  get source(): Observable<T> | null | undefined {
    return this.#source;
  }

  set source(source: Observable<T> | null | undefined) {
    if (source === this.#source) return;
    this.#unsubscribe();
    this.#source = source;
    this.value = this.#initial;
    if (this.#connected) this.#subscribe();
    this.#host.requestUpdate();
  }

  /** Whether a subscription to the source is live. */
  get subscribed(): boolean {
    return this.#subscription !== null;
  }

  hostConnected(): void {
    this.#connected = true;
    this.#subscribe();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#unsubscribe();
  }

  #subscribe(): void {
    if (!this.#source || this.#subscription) return;
    const source = this.#source;
    this.#subscription = source.subscribe({
      next: (value) => {
        this.value = value;
        this.#host.requestUpdate();
      },
      // A failing source must never throw into the host page: keep the last value.
      error: (error: unknown) => {
        console.warn('callcaps: an observable bound to an element failed', error);
        this.#subscription = null;
      },
    });
    // A source that completed synchronously leaves nothing to release.
    if (this.#subscription.closed) this.#subscription = null;
  }

  #unsubscribe(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }
}
