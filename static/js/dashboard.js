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

/* The rule matrix opens on its latest months (the one in focus is the last column): a
   phone's narrow table scrolls from there back to earlier months. */
(function () {
  "use strict";
  function toLatest(scroller) {
    scroller.scrollLeft = scroller.scrollWidth;
  }
  document.querySelectorAll(".rule-group").forEach(function (group) {
    var scroller = group.querySelector(".table-scroll");
    if (!scroller) return;
    if (group.open) toLatest(scroller);
    group.addEventListener("toggle", function () {
      if (group.open) toLatest(scroller);
    });
  });
})();
