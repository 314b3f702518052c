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
  // A step that moved on leaves no earlier error message behind.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "main") return;
    document.getElementById("request-error").replaceChildren();
    var focus = document.getElementById("error-summary") || document.querySelector("#main h1");
    if (focus) { focus.focus(); window.scrollTo(0, 0); }
  });

  // An error answer (4xx/5xx) is an error page's message, which the htmx config swaps into
  // #request-error. An answer without one (a proxy's or the server's bare error page) and a
  // request that got no answer at all (network down, server gone) show the page's own message
  // there instead. Either way focus moves to the message, as a page load would; htmx has enabled
  // the button again by then, so the customer can simply retry.
  function showProblem(replaceWithOwnMessage) {
    var region = document.getElementById("request-error");
    if (replaceWithOwnMessage || !region.querySelector("#problem")) {
      region.replaceChildren(document.getElementById("no-answer-message").content.cloneNode(true));
    }
    var problem = region.querySelector("#problem");
    problem.focus();
    problem.scrollIntoView({ block: "start" });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "request-error") showProblem(false);
  });
  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function () { showProblem(true); });
  });
})();
