// A stand-in for Daily's call machine bundle (call-machine-object-bundle.js),
// which daily-js otherwise downloads from Daily's CDN: daily-js fetches the
// URL given as `dailyConfig.callObjectBundleUrlOverride` and evaluates it.
// The real bundle registers itself as the call machine of every call object
// waiting for it (`window._daily.pendings`) and then talks to daily-js over
// `window.postMessage` (`what: 'iframe-call-message'`). This one registers an
// empty store (no media) and announces itself; the conversation itself is
// held by `daily-machine.ts`, typed against daily-js's declarations.
(function () {
  var daily = window._daily;
  daily.pendings.splice(0).forEach(function (id) {
    daily.instances[id].callMachine = {
      reset: function () {},
      store: { getState: function () { return { local: { streams: {}, public: { subscribedTracks: {} } }, participants: {}, streams: {} }; } },
    };
    window.dispatchEvent(new CustomEvent('callcaps-daily-call-machine', { detail: id }));
  });
})();
