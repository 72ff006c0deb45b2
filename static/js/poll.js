// Shared by the progress pages (imports, survey delivery): asks a JSON URL again
// and again until its answer says "finished", backing off after failed requests.
// Loaded as a file before the page's own script (strict CSP).
(function () {
  "use strict";

  // options: interval (ms), maxFailures, onData(data), onGiveUp() (optional).
  window.integrationPoll = function (url, options) {
    var failures = 0;

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          options.onData(data);
          if (!data.finished) {
            window.setTimeout(poll, options.interval);
          }
        })
        .catch(function () {
          failures += 1;
          if (failures < options.maxFailures) {
            window.setTimeout(poll, options.interval * failures);
          } else if (options.onGiveUp) {
            options.onGiveUp();
          }
        });
    }

    window.setTimeout(poll, options.interval);
  };
})();
