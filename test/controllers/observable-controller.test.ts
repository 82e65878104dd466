import { expect, fixture, html } from '@open-wc/testing';
import { LitElement } from 'lit';
import { BehaviorSubject, Observable, Subject } from 'rxjs';
import { ObservableController } from '../../src/core.js';

/** A source that counts its live subscriptions. */
function counted<T>(inner: Observable<T>) {
  const counter = { live: 0, total: 0 };
  const source = new Observable<T>((subscriber) => {
    counter.live++;
    counter.total++;
    const subscription = inner.subscribe(subscriber);
    return () => {
      counter.live--;
      subscription.unsubscribe();
    };
  });
  return { source, counter };
}

let renders: string[] = [];

class ThrowawayHost extends LitElement {
  readonly bound = new ObservableController<string>(this, 'initial');

  override render() {
    renders.push(this.bound.value);
    return html`<span>${this.bound.value}</span>`;
  }
}
customElements.define('throwaway-host', ThrowawayHost);

async function makeHost(source?: Observable<string>) {
  const el = document.createElement('throwaway-host') as ThrowawayHost;
  if (source) el.bound.source = source;
  document.body.append(el);
  await el.updateComplete;
  return el;
}
const text = (el: ThrowawayHost) => el.shadowRoot!.querySelector('span')!.textContent;

describe('ObservableController', () => {
  beforeEach(() => {
    renders = [];
  });

  it('renders a BehaviorSubject\'s current value in the first render', async () => {
    const el = await makeHost(new BehaviorSubject('current'));
    expect(renders[0]).to.equal('current');
    expect(text(el)).to.equal('current');
    el.remove();
  });

  it('renders the initial value until the source emits', async () => {
    const subject = new Subject<string>();
    const el = await makeHost(subject);
    expect(text(el)).to.equal('initial');
    subject.next('later');
    await el.updateComplete;
    expect(text(el)).to.equal('later');
    el.remove();
  });

  it('requests an update on each value', async () => {
    const subject = new BehaviorSubject('a');
    const el = await makeHost(subject);
    subject.next('b');
    await el.updateComplete;
    subject.next('c');
    await el.updateComplete;
    expect(renders).to.deep.equal(['a', 'b', 'c']);
    el.remove();
  });

  it('leaves no live subscription when the host is removed', async () => {
    const { source, counter } = counted(new BehaviorSubject('x'));
    const el = await makeHost(source);
    expect(counter.live).to.equal(1);
    el.remove();
    expect(counter.live).to.equal(0);
    expect(el.bound.subscribed).to.equal(false);
  });

  it('does not subscribe before the host is connected', async () => {
    const { source, counter } = counted(new BehaviorSubject('x'));
    const el = document.createElement('throwaway-host') as ThrowawayHost;
    el.bound.source = source;
    expect(counter.live).to.equal(0);
    document.body.append(el);
    expect(counter.live).to.equal(1);
    el.remove();
  });

  it('resubscribes when re-added', async () => {
    const subject = new BehaviorSubject('one');
    const { source, counter } = counted(subject);
    const el = await makeHost(source);
    el.remove();
    subject.next('two');
    document.body.append(el);
    await el.updateComplete;
    expect(counter).to.deep.equal({ live: 1, total: 2 });
    expect(text(el)).to.equal('two');
    el.remove();
  });

  it('unsubscribes from the old source when the source is swapped', async () => {
    const first = counted(new BehaviorSubject('first'));
    const second = counted(new BehaviorSubject('second'));
    const el = await makeHost(first.source);
    el.bound.source = second.source;
    await el.updateComplete;
    expect(first.counter.live).to.equal(0);
    expect(second.counter.live).to.equal(1);
    expect(text(el)).to.equal('second');
    el.bound.source = undefined;
    await el.updateComplete;
    expect(second.counter.live).to.equal(0);
    expect(text(el)).to.equal('initial');
    el.remove();
  });

  it('keeps the last value and does not throw when the source errors', async () => {
    const subject = new BehaviorSubject('good');
    const el = await makeHost(subject);
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      subject.error(new Error('boom'));
      await el.updateComplete;
    } finally {
      console.warn = warn;
    }
    expect(text(el)).to.equal('good');
    expect(warnings).to.have.length(1);
    expect(el.bound.subscribed).to.equal(false);
    el.remove();
  });

  it('works inside a fixture', async () => {
    const el = await fixture<ThrowawayHost>(html`<throwaway-host></throwaway-host>`);
    expect(text(el)).to.equal('initial');
  });
});
