/** Small queries through an element's shadow root, by part and accessible attributes. */
import type { LitElement } from 'lit';
import { CallcapsElement } from '../../src/core.js';

export const part = <T extends HTMLElement = HTMLElement>(el: Element, name: string, within?: Element): T | null =>
  (within ?? el.shadowRoot!).querySelector<T>(`[part~="${name}"]`);

export const parts = <T extends HTMLElement = HTMLElement>(el: Element, name: string, within?: Element): T[] => [
  ...(within ?? el.shadowRoot!).querySelectorAll<T>(`[part~="${name}"]`),
];

/** Whether pressing the control would do anything. */
export const actionable = (control: HTMLElement | null): boolean =>
  !!control &&
  !(control as HTMLButtonElement).disabled &&
  control.getAttribute('aria-disabled') !== 'true' &&
  !control.closest('[inert]');

/** The accessible description a control gets from `aria-describedby`. */
export function description(control: HTMLElement): string {
  const root = control.getRootNode() as ShadowRoot;
  return (control.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((id) => root.getElementById(id)?.textContent?.trim() ?? '')
    .join(' ');
}

/** The accessible name, as far as these elements give one (aria-label, else text). */
export const accessibleName = (control: HTMLElement): string =>
  control.getAttribute('aria-label') ?? control.textContent?.trim() ?? '';

export async function settle(el: LitElement): Promise<void> {
  await el.updateComplete;
  await new Promise((resolve) => setTimeout(resolve));
  await el.updateComplete;
}

/**
 * Replaces console.warn while `fn` runs, with the missing-call warning due
 * after `delay` ms, and waits past it; returns what was logged.
 */
export async function captureWarnings(fn: () => Promise<void>, delay = 0): Promise<unknown[][]> {
  const logged: unknown[][] = [];
  const original = console.warn;
  const originalDelay = CallcapsElement.missingCallWarningDelay;
  console.warn = (...args: unknown[]) => void logged.push(args);
  CallcapsElement.missingCallWarningDelay = delay;
  try {
    await fn();
    await new Promise((resolve) => setTimeout(resolve, delay + 20));
  } finally {
    console.warn = original;
    CallcapsElement.missingCallWarningDelay = originalDelay;
  }
  return logged;
}

/** Whether a part is rendered (a boolean, so that a failed expectation never serialises an element). */
export const has = (el: Element, name: string): boolean => part(el, name) !== null;

/** Loads a classic script (`<script src>`) into the page, as a page that uses the IIFE bundles would. */
export function loadClassicScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}
