/* The activity form: show only the chosen commune's villages; suggest the type's unit. */
(function () {
  "use strict";
  var form = document.querySelector("[data-activity-form]");
  if (!form) return;
  var commune = form.querySelector("#id_commune");
  var date = form.querySelector("#id_date");
  var groups = form.querySelectorAll(".village-group");
  // A village belongs to a commune for periods ("2021-01-01/2025-06-30 2025-07-01/"): it is
  // offered for a date in one of them; with no date typed yet, always.
  function inCommuneOn(label, day) {
    if (!day) return true;
    return (label.getAttribute("data-periods") || "/").split(" ").some(function (period) {
      var ends = period.split("/");
      return (!ends[0] || ends[0] <= day) && (!ends[1] || day <= ends[1]);
    });
  }
  function uncheck(node) {
    node.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
  }
  function showVillages() {
    var day = date && /^\d{4}-\d{2}-\d{2}$/.test(date.value) ? date.value : "";
    groups.forEach(function (group) {
      var match = !commune.value || group.getAttribute("data-commune") === commune.value;
      group.hidden = !match;
      if (!match) uncheck(group);
      group.querySelectorAll("label[data-periods]").forEach(function (label) {
        var shown = inCommuneOn(label, day);
        label.hidden = !shown;
        if (!shown) uncheck(label);
      });
    });
  }
  commune.addEventListener("change", showVillages);
  if (date) date.addEventListener("change", showVillages);
  if (date) date.addEventListener("input", showVillages);
  showVillages();

  var type = form.querySelector("#id_activity_type");
  var unit = form.querySelector("#id_output_unit");
  function suggestUnit() {
    var option = type.options[type.selectedIndex];
    var suggested = option ? option.getAttribute("data-unit") : "";
    if (suggested && (!unit.value || unit.dataset.suggested === unit.value)) {
      unit.value = suggested;
      unit.dataset.suggested = suggested;
    }
  }
  type.addEventListener("change", suggestUnit);
  suggestUnit();
})();
