// The question form shows only the fieldsets that matter for the chosen kind
// (<fieldset data-kinds="single_choice multiple_choice">). Without JavaScript all
// are shown; the server ignores what does not belong to the kind either way.
(function () {
  "use strict";

  function update(select) {
    var fieldsets = document.querySelectorAll("fieldset[data-kinds]");
    for (var i = 0; i < fieldsets.length; i++) {
      var kinds = fieldsets[i].getAttribute("data-kinds").split(" ");
      fieldsets[i].hidden = kinds.indexOf(select.value) === -1;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("#question-form select[name='kind']");
    if (!select) {
      return;
    }
    update(select);
    select.addEventListener("change", function () {
      update(select);
    });
  });
})();
