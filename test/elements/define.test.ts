import { expect } from '@open-wc/testing';
import { CallControls, CapabilityGate, define, ELEMENTS, PermissionsPanel, WaitingRoom } from '../../src/core.js';

describe('define()', () => {
  it('the default tags, exactly', () => {
    expect(Object.keys(ELEMENTS)).to.deep.equal(['call-controls', 'permissions-panel', 'waiting-room', 'capability-gate']);
    define();
    expect(customElements.get('call-controls')).to.equal(CallControls);
    expect(customElements.get('permissions-panel')).to.equal(PermissionsPanel);
    expect(customElements.get('waiting-room')).to.equal(WaitingRoom);
    expect(customElements.get('capability-gate')).to.equal(CapabilityGate);
  });

  it('registering twice never throws', () => {
    expect(() => {
      define();
      define();
    }).to.not.throw();
  });

  it('a prefix registers every element again under <prefix>-<tag>', async () => {
    define('acme');
    for (const tag of Object.keys(ELEMENTS)) {
      const element = customElements.get(`acme-${tag}`);
      expect(element, tag).to.not.equal(undefined);
      expect(new element!()).to.be.instanceOf(ELEMENTS[tag as keyof typeof ELEMENTS]);
    }
    expect(() => define('acme')).to.not.throw();
  });

  it('a map renames some tags', () => {
    define({ 'waiting-room': 'lobby-door' });
    expect(new (customElements.get('lobby-door')!)()).to.be.instanceOf(WaitingRoom);
  });

  it('importing callcaps registers the default tags', async () => {
    await import('../../src/index.js');
    expect(customElements.get('capability-gate')).to.equal(CapabilityGate);
  });
});
