// Progress page of an import: polls the status URL of #import-progress every second,
// moves the bar and, once the import is finished, shows the result the server rendered.
// Loaded as a file (strict CSP); without JavaScript the page offers a refresh link.
(function () {
  "use strict";

  var INTERVAL_MS = 1000;
  // After this many failed requests in a row the page stops and offers the link again.
  var MAX_FAILURES = 10;
  var root = document.getElementById("import-progress");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-status-url");
  var text = root.querySelector("[data-import-text]");
  var detail = root.querySelector("[data-import-detail]");

  function refreshLink(visible) {
    var link = detail.querySelector("[data-import-refresh]");
    if (link) {
      link.classList.toggle("d-none", !visible);
    }
  }

  function showPercent(percent) {
    var bar = detail.querySelector("[data-import-bar]");
    if (!bar) {
      return;
    }
    var inner = bar.querySelector(".progress-bar");
    if (percent === null || percent === undefined || percent === "") {
      // Unknown (waiting, or no shared cache): an animated full bar.
      bar.removeAttribute("aria-valuenow");
      inner.style.width = "100%";
    } else {
      bar.setAttribute("aria-valuenow", String(percent));
      inner.classList.remove("w-100");
      inner.style.width = percent + "%";
    }
  }

  function show(state) {
    if (text.textContent !== state.text) {
      text.textContent = state.text;
    }
    root.setAttribute("data-status", state.status);
    if (state.finished) {
      // The fragment comes from our own template, escaped there.
      detail.innerHTML = state.html;
      return;
    }
    showPercent(state.percent);
    var rows = detail.querySelector("[data-import-rows]");
    if (rows) {
      rows.textContent = state.rows;
    }
  }

  // Only a queued or running import changes by itself.
  var status = root.getAttribute("data-status");
  if (status !== "queued" && status !== "running") {
    return;
  }
  var first = detail.querySelector("[data-import-bar] .progress-bar");
  showPercent(first ? first.getAttribute("data-percent") : null);
  refreshLink(false);
  window.integrationPoll(url, {
    interval: INTERVAL_MS,
    maxFailures: MAX_FAILURES,
    onData: show,
    onGiveUp: function () {
      refreshLink(true);
    },
  });
})();
