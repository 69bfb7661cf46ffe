/* Show only the period fields the chosen kind of period needs (all are there without JS). */
(function () {
  "use strict";
  var form = document.querySelector("[data-period-form]");
  if (!form) return;
  var kind = form.querySelector("#id_ky");
  function update() {
    form.querySelectorAll("[data-kind]").forEach(function (field) {
      field.hidden = field.getAttribute("data-kind").split(" ").indexOf(kind.value) < 0;
    });
  }
  kind.addEventListener("change", update);
  update();
})();
