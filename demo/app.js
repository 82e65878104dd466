// The live call page: joins ?room= with #t= (a meeting token) and ?name=, and
// binds every callcaps element to the Call. Plain script, no build step.
(() => {
  'use strict';
  const { connect, can } = window.Callcaps;
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
    window.demoCall = call; // for the console and the end-to-end tests
    for (const id of ['controls', 'waiting', 'panel', 'lobby-room']) $(id).call = call;
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
      stopPreview();
    });

    let self = null;
    call.self$.subscribe((member) => {
      self = member;
    });
    call.participants$.subscribe((members) => renderTiles(members, self));

    // The camera preview shows while the server lets this participant send video.
    let previewing = false;
    call.capabilities.state$.subscribe(() => updatePreview());
    call.self$.subscribe(() => updatePreview());

    function updatePreview() {
      const wanted = can(call.capabilities.state, 'self.mute.video.on') && self && !self.video_muted;
      if (wanted && !previewing) startPreview();
      if (!wanted && previewing) stopPreview();
    }

    function startPreview() {
      previewing = true;
      if (!navigator.mediaDevices?.getUserMedia) return;
      navigator.mediaDevices.getUserMedia({ video: true }).then(
        (stream) => {
          if (!previewing) return stream.getTracks().forEach((track) => track.stop());
          $('preview').srcObject = stream;
          $('preview').hidden = false;
        },
        () => {
          previewing = false; // no camera, or the user said no: no preview
        },
      );
    }
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

  function stopPreview() {
    const stream = $('preview').srcObject;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    $('preview').srcObject = null;
    $('preview').hidden = true;
  }

  function badge(text) {
    const span = document.createElement('span');
    span.className = 'badge';
    span.textContent = text;
    return span;
  }

  // Names are set as text, never as HTML.
  function renderTiles(members, self) {
    const list = $('tiles');
    list.replaceChildren(
      ...members.map((member) => {
        const tile = document.createElement('li');
        tile.className = member.id === self?.id ? 'tile self' : 'tile';
        tile.dataset.memberId = member.id;
        const avatar = document.createElement('span');
        avatar.className = 'avatar';
        avatar.setAttribute('aria-hidden', 'true');
        avatar.textContent = (member.name || '?').trim().charAt(0).toUpperCase() || '?';
        const label = document.createElement('span');
        label.className = 'name';
        label.textContent = member.id === self?.id ? `${member.name} (you)` : member.name;
        const badges = document.createElement('span');
        badges.className = 'badges';
        if (member.reconnecting) badges.append(badge('Reconnecting…'));
        if (member.owner) badges.append(badge('Owner'));
        if (member.handraised) badges.append(badge('✋ Hand raised'));
        badges.append(badge(member.audio_muted ? 'Muted' : 'Mic on'));
        if (!member.permissions?.hasPresence) badges.append(badge('Hidden'));
        tile.append(avatar, label, badges);
        return tile;
      }),
    );
  }
})();
