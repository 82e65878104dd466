import { CapabilityError, ServerError } from '../../core/call.js';

/** Fills `{key}` placeholders of a localisable string. */
export function format(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** The strings key of a part or icon name (`mute-all` → `muteAll`). */
export const camel = (part: string): string => part.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** Strings every element shares. */
export interface CommonStrings {
  /** Reason a control is not actionable while capabilities are not known yet. */
  notReady: string;
  /** Reason, and status, while the connection is being re-established. */
  reconnecting: string;
  /** Shown when an action fails; `{reason}` is the explanation. */
  actionFailed: string;
  /** The explanation when the capability was absent or the server refused with 4403. */
  forbidden: string;
  /** Label of the button that dismisses an error. */
  dismiss: string;
  /** Label of the button that backs out of a confirmation, or of waiting. */
  cancel: string;
}

export const COMMON_STRINGS: CommonStrings = {
  notReady: 'Waiting for the call to connect',
  reconnecting: 'Reconnecting to the call…',
  actionFailed: 'That did not work: {reason}',
  forbidden: 'you are not allowed to do that.',
  dismiss: 'Dismiss',
  cancel: 'Cancel',
};

/** A human explanation of a failed action. */
export function explain(error: unknown, strings: CommonStrings): string {
  const forbidden = error instanceof CapabilityError || (error instanceof ServerError && error.code === 4403);
  const reason = forbidden ? strings.forbidden : error instanceof Error && error.message ? error.message : String(error);
  return format(strings.actionFailed, { reason });
}
