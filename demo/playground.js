// The capability playground: every element bound to a fake Call whose
// capabilities are set by hand. Plain script, no server, works from file://.
(() => {
  'use strict';
  const { SelfCapabilities, LEAF_FLAGS, can, parseCapabilities, ServerError } = window.Callcaps;
  const $ = (id) => document.getElementById(id);

  /** A value that replays its current state to subscribers, as the Call's observables do. */
  class Value {
    #value;
    #observers = new Set();
    constructor(value) {
      this.#value = value;
    }
    get value() {
      return this.#value;
    }
    set(value) {
      this.#value = value;
      for (const observer of [...this.#observers]) observer.next?.(value);
    }
    update(change) {
      this.set(change(this.#value));
    }
    subscribe(observerOrNext) {
      const observer = typeof observerOrNext === 'function' ? { next: observerOrNext } : observerOrNext;
      this.#observers.add(observer);
      observer.next?.(this.#value);
      const subscription = {
        closed: false,
        unsubscribe: () => {
          subscription.closed = true;
          this.#observers.delete(observer);
        },
      };
      return subscription;
    }
  }

  const now = Date.now();
  const permissions = (hasPresence, canSend) => ({ hasPresence, canSend, canReceive: { base: true }, canAdmin: false });
  const member = (id, name, extra = {}) => ({
    id, user_id: id, name, owner: false, role: 'user', permissions: permissions(true, true),
    audio_muted: true, video_muted: true, deaf: false, handraised: false, screenshare: false, joined_at: now,
    ...extra,
  });

  const refuse = () => $('refuse').checked;
  const log = (text) => {
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
    $('log').prepend(item);
  };

  /** A Call that lives in this page: actions are logged and applied locally. */
  function fakeCall({ capabilities, access }) {
    const self = new Value(member('me', 'You'));
    const others = new Value([
      member('p1', 'Grace Hopper', { audio_muted: false, handraised: true }),
      member('p2', 'Linus <b>markup</b> Torvalds'),
      member('p3', 'Owner Olga', { owner: true, role: 'host' }),
    ]);
    const participants = new Value([]);
    const refresh = () => participants.set([self.value, ...others.value]);
    self.subscribe(refresh);
    others.subscribe(refresh);

    const call = {
      capabilities,
      self$: self,
      participants$: participants,
      waiting$: new Value([
        { id: 'k1', name: 'Knocking Kim', awaiting: 'full', requested_at: now - 3 * 60_000 },
        { id: 'k2', name: '<img src=x onerror=alert(1)>', awaiting: 'full', requested_at: now },
      ]),
      access$: new Value(access),
      room$: new Value({
        name: 'playground', call_type: 'default', locked: false, layout: 'grid',
        layouts: ['grid', 'speaker', 'sidebar'], roles: ['user', 'moderator', 'host', 'admin'],
        recording: false, streaming: false, transcribing: false, vmuted_hidden: false,
      }),
      requests$: new Value([
        { member_id: 'p2', name: 'Linus <b>markup</b> Torvalds', permissions: ['audio', 'video'], requested_at: now },
      ]),
      connection$: new Value('connected'),
      left$: new Value(null),
      messages$: new Value(undefined),
      self,
      others,
    };

    const room = (change) => call.room$.update((r) => ({ ...r, ...change }));
    const memberChange = (id, change) => {
      if (!id || id === 'me') return self.update((m) => ({ ...m, ...change }));
      others.update((list) => list.map((m) => (id === '*' || m.id === id ? { ...m, ...change } : m)));
    };
    const effects = {
      leave: () => call.left$.set('left'),
      requestAccess: () => call.access$.set({ level: 'lobby', awaiting: 'full' }),
      mute: (channels, id) => memberChange(id, channels.includes('audio') ? { audio_muted: true } : { video_muted: true }),
      unmute: (channels, id) => memberChange(id, channels.includes('audio') ? { audio_muted: false } : { video_muted: false }),
      deaf: (id) => memberChange(id, { deaf: true }),
      undeaf: (id) => memberChange(id, { deaf: false }),
      raiseHand: (id) => memberChange(id, { handraised: true }),
      lowerHand: (id) => memberChange(id, { handraised: false }),
      startScreenshare: () => memberChange('me', { screenshare: true }),
      stopScreenshare: () => memberChange('me', { screenshare: false }),
      lock: () => room({ locked: true }),
      unlock: () => room({ locked: false }),
      end: () => log('(the call would end for everyone)'),
      setLayout: (layout) => room({ layout }),
      sendDigits: () => {},
      removeMember: (id) => others.update((list) => list.filter((m) => m.id !== id)),
      updateMember: (id, update) => {
        const apply = (m) => ({
          ...m,
          ...(update.role ? { role: update.role } : {}),
          permissions: { ...m.permissions, ...(update.permissions || {}) },
        });
        others.update((list) => list.map((m) => (id === '*' || m.id === id ? apply(m) : m)));
        call.requests$.update((list) => list.filter((r) => r.member_id !== id));
      },
      updateWaiting: (id) => call.waiting$.update((list) => (id === '*' ? [] : list.filter((k) => k.id !== id))),
      requestPermissions: () => {},
      denyRequest: (id) => call.requests$.update((list) => list.filter((r) => r.member_id !== id)),
      startRecording: () => room({ recording: true }),
      stopRecording: () => room({ recording: false }),
      startStreaming: () => room({ streaming: true }),
      stopStreaming: () => room({ streaming: false }),
      startTranscription: () => room({ transcribing: true }),
      stopTranscription: () => room({ transcribing: false }),
      sendMessage: () => {},
    };
    for (const [name, effect] of Object.entries(effects)) {
      call[name] = async (...args) => {
        log(`${name}(${args.map((a) => JSON.stringify(a)).join(', ')})${refuse() ? ' → refused' : ''}`);
        if (refuse()) throw new ServerError(4403, 'forbidden: the server refused (playground)');
        effect(...args);
      };
    }
    return call;
  }

  const capabilities = new SelfCapabilities();
  const inCall = fakeCall({ capabilities, access: { level: 'full', awaiting: null } });
  const lobbyCall = fakeCall({ capabilities: new SelfCapabilities([]), access: { level: 'lobby', awaiting: null } });
  const inCallElements = ['controls', 'gate-remove', 'gate-screen', 'panel', 'waiting'].map($);
  for (const el of inCallElements) el.call = inCall;
  $('lobby').call = lobbyCall;
  const allElements = [...inCallElements, $('lobby')];

  // One checkbox per leaf flag, grouped by family.
  const families = new Map();
  for (const flag of LEAF_FLAGS) {
    const family = flag.startsWith('self.') || flag.startsWith('member.') ? flag.split('.')[0] : 'call';
    if (!families.has(family)) families.set(family, []);
    families.get(family).push(flag);
  }
  const boxes = new Map();
  for (const [family, flags] of families) {
    const set = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.textContent = family === 'call' ? 'call' : `${family}.*`;
    set.append(legend);
    for (const flag of flags) {
      const label = document.createElement('label');
      label.className = 'check';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = flag;
      box.dataset.flag = flag;
      box.addEventListener('change', () => applyFlags(LEAF_FLAGS.filter((f) => boxes.get(f).checked)));
      boxes.set(flag, box);
      label.append(box, ` ${flag}`);
      set.append(label);
    }
    $('flags').append(set);
  }

  function applyFlags(flags) {
    $('raw').value = JSON.stringify(flags);
    setCapabilities(flags);
  }

  function setCapabilities(flags) {
    if ($('known').checked) capabilities.update(flags);
    const state = parseCapabilities(flags);
    for (const [flag, box] of boxes) box.checked = can(state, flag);
  }

  $('raw').addEventListener('input', () => {
    let flags;
    try {
      flags = JSON.parse($('raw').value);
    } catch {
      flags = null;
    }
    const valid = Array.isArray(flags) && flags.every((f) => typeof f === 'string');
    $('raw-status').textContent = valid ? '' : 'Not an array of strings: nothing is granted (fail closed).';
    setCapabilities(flags);
  });
  for (const button of document.querySelectorAll('[data-preset]')) {
    button.addEventListener('click', () => applyFlags(JSON.parse(button.dataset.preset)));
  }

  $('known').addEventListener('change', () => {
    if ($('known').checked) $('raw').dispatchEvent(new Event('input'));
    else capabilities.forget();
  });
  $('connection').addEventListener('change', () => inCall.connection$.set($('connection').value));
  $('presence').addEventListener('change', () =>
    inCall.self.update((m) => ({ ...m, permissions: { ...m.permissions, hasPresence: $('presence').checked } })),
  );
  $('owner').addEventListener('change', () => inCall.self.update((m) => ({ ...m, owner: $('owner').checked })));

  $('gating').addEventListener('change', () => {
    for (const el of allElements) el.gating = $('gating').value;
  });
  $('theme').addEventListener('change', () => {
    for (const el of allElements) {
      if ($('theme').value) el.theme = $('theme').value;
      else el.removeAttribute('theme');
    }
    document.documentElement.style.colorScheme = $('theme').value || 'light dark';
  });

  // The elements speak the nearest lang; the French table is the shipped locale (dist/locales/fr.iife.js).
  $('language').addEventListener('change', () => {
    document.querySelector('.elements').lang = $('language').value;
  });

  applyFlags(JSON.parse(document.querySelector('[data-preset]').dataset.preset));
  window.playground = { capabilities, call: inCall, lobbyCall };
})();
