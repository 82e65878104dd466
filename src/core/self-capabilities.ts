import type { Observable } from 'rxjs';
import { derive, State } from './state.js';
import {
  CAPABILITY_FIELDS,
  NO_CAPABILITIES,
  parseCapabilities,
  type CallCapabilitiesState,
  type CapabilityField,
} from './capabilities.js';

/** A synchronous getter and a `$` observable for every top-level capability field. */
export type CapabilityAccessors = {
  readonly [K in CapabilityField]: CallCapabilitiesState[K];
} & {
  readonly [K in CapabilityField as `${K}$`]: Observable<CallCapabilitiesState[K]>;
};

/**
 * The capabilities of the local participant, as the server last sent them.
 *
 * Each top-level field `X` of {@link CallCapabilitiesState} has a getter `X` and
 * an observable `X$` that replays the current value and emits only when that
 * value changed by value. `update()` replaces the whole state: nothing is merged.
 * Until the first update, and after `forget()`, `known` is false and every
 * capability reads as not granted.
 */
class SelfCapabilitiesBase {
  // `State` emits only on a change by value.
  readonly #state = new State<CallCapabilitiesState>(NO_CAPABILITIES);
  readonly #known = new State(false);
  readonly #fields = new Map<CapabilityField, Observable<unknown>>();

  /** The whole state; replays the current value; emits only on a change by value. */
  readonly state$: Observable<CallCapabilitiesState> = this.#state.$;
  /** False until the first update and while the call is disconnected. */
  readonly known$: Observable<boolean> = this.#known.$;

  constructor(flags?: unknown) {
    if (flags !== undefined) this.update(flags);
  }

  /** The whole state, deeply frozen. */
  get state(): CallCapabilitiesState {
    return this.#state.value;
  }

  /** Whether the state comes from the server (false before the first update and while disconnected). */
  get known(): boolean {
    return this.#known.value;
  }

  /** Replaces the whole state with the one `flags` grants (see `parseCapabilities`). */
  update(flags: unknown): void {
    this.#set(parseCapabilities(flags), true);
  }

  /** Forgets the state, as while disconnected: nothing is granted and `known` is false. */
  forget(): void {
    this.#set(NO_CAPABILITIES, false);
  }

  /** Completes every observable. The object is unusable afterwards. */
  destroy(): void {
    this.#state.complete();
    this.#known.complete();
  }

  /** The cached observable of one top-level field. */
  private field$(field: CapabilityField): Observable<unknown> {
    let field$ = this.#fields.get(field);
    if (!field$) {
      field$ = derive(this.state$, (state) => state[field]);
      this.#fields.set(field, field$);
    }
    return field$;
  }

  // One getter and one cached observable per field, defined once on the prototype.
  static {
    for (const field of CAPABILITY_FIELDS) {
      Object.defineProperty(this.prototype, field, {
        get(this: SelfCapabilitiesBase) {
          return this.state[field];
        },
      });
      Object.defineProperty(this.prototype, `${field}$`, {
        get(this: SelfCapabilitiesBase) {
          return this.field$(field);
        },
      });
    }
  }

  #set(state: CallCapabilitiesState, known: boolean): void {
    this.#state.set(state);
    this.#known.set(known);
  }
}

/** The capabilities of the local participant (see {@link SelfCapabilitiesBase}). */
export type SelfCapabilities = SelfCapabilitiesBase & CapabilityAccessors;

/** Creates the capabilities of the local participant, optionally from initial flags. */
export const SelfCapabilities = SelfCapabilitiesBase as unknown as {
  new (flags?: unknown): SelfCapabilities;
  prototype: SelfCapabilities;
};
