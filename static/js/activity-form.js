/* The activity form: show only the chosen commune's villages; suggest the type's unit. */
(function () {
  "use strict";
  var form = document.querySelector("[data-activity-form]");
  if (!form) return;
  var commune = form.querySelector("#id_commune");
  var groups = form.querySelectorAll(".village-group");
  function showVillages() {
    groups.forEach(function (group) {
      var match = !commune.value || group.getAttribute("data-commune") === commune.value;
      group.hidden = !match;
      if (!match) {
        group.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
      }
    });
  }
  commune.addEventListener("change", showVillages);
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
