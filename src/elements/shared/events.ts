/**
 * The two events every callcaps element may emit. Both bubble and are composed,
 * so a host page can listen on any ancestor (or `document`).
 */

/** What an element asks to do: a `Call` method name and its arguments. */
export interface CallcapsActionDetail {
  /**
   * The `Call` method the element would call (`mute`, `unmute`, `raiseHand`,
   * `setLayout`, `sendDigits`, `updateMember`…), or `selectDevice` for a device
   * choice (args: `kind`, `deviceId`), which no `Call` method covers.
   */
  readonly action: string;
  readonly args: readonly unknown[];
}

/** An action that failed: the error, and the action that raised it. */
export interface CallcapsErrorDetail {
  readonly error: unknown;
  readonly action: string;
}

/** Emitted before every action; cancel it (`preventDefault()`) to handle the action yourself. */
export type CallcapsActionEvent = CustomEvent<CallcapsActionDetail>;
/** Emitted when an action fails (the server refused, or the call rejected it). */
export type CallcapsErrorEvent = CustomEvent<CallcapsErrorDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'callcaps-action': CallcapsActionEvent;
    'callcaps-error': CallcapsErrorEvent;
  }
}
