/* Small progressive enhancements for every page; the pages work without them. */
(function () {
  "use strict";
  // Ask before a button with data-confirm submits its form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // Pickers that show their choice at once: submit on change (the button stays for no-JS).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () { form.submit(); });
  });
  // Money fields: show thousands with dots as you type (the server accepts both).
  function groupDigits(value) {
    var digits = value.replace(/\D/g, "");
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }
  document.querySelectorAll("input[data-money]").forEach(function (input) {
    input.value = groupDigits(input.value);
    input.addEventListener("input", function () {
      input.value = groupDigits(input.value);
    });
  });
})();
