// Progress page of a PDF document: polls the status URL of #document-progress, moves the
// <progress> bar and, once the PDF is ready or failed, shows what the server rendered.
// Loaded as a file (strict CSP); without JavaScript the page offers a reload link.
(function () {
  "use strict";

  var INTERVAL_MS = 1000;
  // After this many failed requests in a row the page stops and offers the link again.
  var MAX_FAILURES = 10;
  var root = document.getElementById("document-progress");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-status-url");
  var text = root.querySelector("[data-document-text]");
  var detail = root.querySelector("[data-document-detail]");

  function refreshLink(visible) {
    var link = detail.querySelector("[data-document-refresh]");
    if (link) {
      link.classList.toggle("d-none", !visible);
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
    var bar = detail.querySelector("[data-document-bar]");
    if (bar && state.status === "rendering") {
      bar.value = state.progress;
      bar.textContent = state.progress + " %";
    }
  }

  // Only a queued or rendering document changes by itself.
  var status = root.getAttribute("data-status");
  if (status !== "queued" && status !== "rendering") {
    return;
  }
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
