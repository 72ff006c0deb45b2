// Copy buttons: <button data-copy-target="ID"> copies the value of the field ID and
// reports in the element [data-copy-status="ID"]. Loaded as a file (strict CSP).
(function () {
  "use strict";

  function report(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) {
      status.textContent = text;
    }
  }

  function fallback(field) {
    // Older browsers and plain-http hosts have no clipboard API: select the text
    // so that Ctrl+C works, and try the legacy command.
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    var id = button.getAttribute("data-copy-target");
    var field = document.getElementById(id);
    if (!field) {
      return;
    }
    var done = button.getAttribute("data-copied-text") || "";
    var failed = button.getAttribute("data-failed-text") || "";
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () {
          report(id, done);
        },
        function () {
          report(id, fallback(field) ? done : failed);
        }
      );
    } else {
      report(id, fallback(field) ? done : failed);
    }
  });
})();
