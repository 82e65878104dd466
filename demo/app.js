// The live call page: joins ?room= with #t= (a meeting token) and ?name=, and
// binds every callcaps element to the Call. Plain script, no build step.
(() => {
  'use strict';
  const { connect, withMedia } = window.Callcaps;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.slice(1));
  const room = params.get('room');
  // The token travels in the fragment, which browsers never send to a server:
  // it reaches no server log and no Referer. Older links carry it as ?t=; it is
  // still accepted, and moved to the fragment at once, out of the query.
  const token = fragment.get('t') || params.get('t') || undefined;
  const name = params.get('name') || undefined;
  if (params.has('t')) {
    if (token && !fragment.has('t')) fragment.set('t', token);
    params.delete('t');
    const query = params.toString();
    const hash = fragment.toString();
    history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${hash ? `#${hash}` : ''}`);
  }

  const LEFT = {
    left: 'You left the call.',
    removed: 'A host removed you from the call.',
    ended: 'The call has ended.',
    denied: 'The host did not let you in.',
    expired: 'Your access to this call has expired.',
  };
  const CONNECTION = {
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Reconnecting…',
    closed: 'Disconnected',
  };

  function showNotice(text) {
    $('notice').textContent = text;
    $('notice').hidden = false;
  }

  // Without a room, or without a name and a token to give one, ask first.
  if (!room || (!name && !token)) {
    const form = $('join-form');
    form.hidden = false;
    if (room) $('join-room').value = room;
    (room ? $('join-name') : $('join-room')).focus();
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const next = new URLSearchParams(params);
      next.set('room', $('join-room').value.trim());
      next.set('name', $('join-name').value.trim());
      location.search = next.toString();
    });
    return;
  }

  $('room-label').textContent = `Room ${room}`;

  connect(location.origin, { room, token, userName: name }).then(run, (error) => {
    showNotice(`Could not join ${room}: ${error.message}`);
  });

  function run(call) {
    // Real media (callcaps-media.iife.js): the camera, microphone and screen follow
    // the controls and the grants; without a media server the stage shows avatars.
    if (withMedia) withMedia(call);
    window.call = window.demoCall = call; // for the console and the end-to-end tests
    for (const id of ['controls', 'waiting', 'panel', 'lobby-room', 'tiles']) $(id).call = call;
    // The device pickers of <call-controls> ask; the media does it.
    $('controls').addEventListener('callcaps-action', (event) => {
      if (event.detail.action !== 'selectDevice' || !call.media) return;
      const [kind, deviceId] = event.detail.args;
      call.media.selectDevice(kind, deviceId).catch((error) => showNotice(`Could not switch devices: ${error.message}`));
    });
    keepThroughReconnecting(call);

    call.connection$.subscribe((state) => ($('connection').textContent = CONNECTION[state] || state));
    // Why the connection ended, when it was not by leaving (the server unreachable for good, a token expired…).
    call.closeReason$?.subscribe((reason) => {
      if (reason) showNotice(`Disconnected: ${reason.message}`);
    });

    let left = null;
    call.access$.subscribe((access) => {
      // While reconnecting the access is not known: the call stays on screen (see keepThroughReconnecting).
      if (left || access.level === 'unknown') return;
      const inCall = access.level === 'full' || access.level === 'none';
      $('call').hidden = !inCall;
      $('lobby').hidden = access.level !== 'lobby';
    });

    call.left$.subscribe((reason) => {
      if (!reason) return;
      left = reason;
      $('call').hidden = true;
      $('lobby').hidden = reason !== 'denied';
      // A denied knocker reads the denial in the lobby's own status, once.
      if (reason !== 'denied') showNotice(LEFT[reason] || `You are out of the call (${reason}).`);
    });
  }

  // The lobby starts with the name given on the join form and says which room it is.
  const lobby = $('lobby-room');
  if (name) lobby.name = name;
  lobby.roomName = room;

  // While reconnecting, the call stays on screen, dimmed, under the connection banner;
  // the elements keep their own content inert.
  function keepThroughReconnecting(call) {
    call.connection$.subscribe((state) => {
      document.body.dataset.connection = state;
      $('tiles').inert = state === 'reconnecting';
    });
  }
})();
