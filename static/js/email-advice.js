// The inline email advice (templates/inquiry/details.html, _email_advice.html), on top of a form
// that works without JavaScript.
(function () {
  "use strict";

  var FIELD = "email", BOX = "email-advice", STATUS = "email-advice-status";
  var leftWith = null;    // the value the customer last left the field with

  // A pause in typing is asked for what is certain only; leaving the field ("change") for the
  // final verdict. A pause that comes after leaving, with the same value, stays final.
  document.addEventListener("htmx:configRequest", function (event) {
    var field = event.detail.elt;
    if (!field || field.id !== FIELD) return;
    var trigger = event.detail.triggeringEvent;
    if (trigger && trigger.type === "change") leftWith = field.value;
    event.detail.parameters.final = field.value === leftWith ? "1" : "";
  });

  function verdictIn(root) {
    var verdict = root.querySelector("[data-verdict]");
    return verdict ? verdict.dataset : { verdict: "", status: "" };
  }

  // Redraw the box only when the verdict changed: leaving the field with the verdict unchanged
  // keeps the box as it is, and with it the focus on its fix button or FAQ link.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var box = event.detail.target;
    if (!box || box.id !== BOX || event.detail.isError) return;
    var answer = document.createElement("template");
    answer.innerHTML = event.detail.serverResponse;
    if (verdictIn(answer.content).verdict === verdictIn(box).verdict) event.detail.shouldSwap = false;
  });

  // The status line speaks once per new verdict, in a short sentence; while nothing is certain
  // (an empty verdict) it keeps what it last said rather than talk.
  document.addEventListener("htmx:afterSwap", function (event) {
    var box = event.detail.target, status = document.getElementById(STATUS);
    if (!box || box.id !== BOX || !status) return;
    var sentence = verdictIn(box).status;
    if (sentence && status.textContent !== sentence) status.textContent = sentence;
  });
})();
