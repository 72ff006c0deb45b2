// Delivery panel of a launched survey (#delivery-panel): sets the widths of the
// stacked bar, then polls the JSON of data-url every 2 seconds and updates the
// bar, the figures and the list of failed mails until nothing is left to send.
// Loaded as a file (strict CSP); without JavaScript the figures are shown as text.
(function () {
  "use strict";

  var INTERVAL_MS = 2000;
  // After this many failed requests in a row the page stops polling.
  var MAX_FAILURES = 10;
  // The live region speaks at most this often while sending, and once at the end.
  var ANNOUNCE_EVERY_MS = 15000;
  var root = document.getElementById("delivery-panel");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-url");
  var live = root.querySelector("[data-progress-live]");
  var locale = document.documentElement.lang || undefined;
  var lastAnnounced = Date.now();

  function setWidth(segment, percent) {
    // Widths through the CSSOM, which the content security policy allows.
    segment.style.width = percent + "%";
  }

  root.querySelectorAll("[data-segment]").forEach(function (segment) {
    setWidth(segment, segment.getAttribute("data-percent"));
  });

  function figure(data, path) {
    return path.split(".").reduce(function (value, key) {
      return value === undefined || value === null ? undefined : value[key];
    }, data);
  }

  function showFailed(data) {
    var box = root.querySelector("[data-failed]");
    var list = root.querySelector("[data-failed-list]");
    if (!box || !list) {
      return;
    }
    box.hidden = data.failed.length === 0;
    list.textContent = "";
    data.failed.forEach(function (mail) {
      var item = document.createElement("li");
      var name = document.createElement("strong");
      name.textContent = mail.name;
      item.appendChild(name);
      item.appendChild(document.createTextNode(" (" + mail.kind + "): " + mail.reason));
      list.appendChild(item);
    });
  }

  function show(data) {
    data.segments.forEach(function (part) {
      var segment = root.querySelector('[data-segment="' + part.key + '"]');
      if (segment) {
        setWidth(segment, part.percent);
        segment.setAttribute("aria-valuenow", String(part.count));
        segment.setAttribute("aria-valuemax", String(data.total));
      }
    });
    root.querySelectorAll("[data-count]").forEach(function (element) {
      var value = figure(data, element.getAttribute("data-count"));
      if (typeof value === "number") {
        element.textContent = value.toLocaleString(locale);
      }
    });
    showFailed(data);
    if (live && (data.finished || Date.now() - lastAnnounced > ANNOUNCE_EVERY_MS)) {
      live.textContent = data.text;
      lastAnnounced = Date.now();
    }
  }

  if (root.getAttribute("data-poll") === "true") {
    window.integrationPoll(url, { interval: INTERVAL_MS, maxFailures: MAX_FAILURES, onData: show });
  }
})();
