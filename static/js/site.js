// Small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // "N characters left" under a textarea with data-counter="<id of the counter element>".
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.dataset || !field.dataset.counter) return;
    var counter = document.getElementById(field.dataset.counter);
    if (!counter) return;
    var left = Number(field.getAttribute("maxlength")) - field.value.length;
    counter.textContent = counter.dataset.template.replace("{n}", String(left));
    counter.classList.toggle("counter-over", left < 0);
  });

  // After htmx swaps a new step into <main>, move focus as a page load would: to the error
  // summary if there is one, else to the heading, so screen readers announce the new step.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "main") return;
    var focus = document.getElementById("error-summary") || document.querySelector("#main h1");
    if (focus) { focus.focus(); window.scrollTo(0, 0); }
  });
})();
