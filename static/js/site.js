// Small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // GOV.UK's character count (templates/macros/forms.html character_count). The visible count
  // follows every key but screen readers skip it; the status below it is updated only once the
  // customer pauses, so it speaks once, not on every key. Counted as the server counts: the text
  // cleaned as madoguchi/text_input.py multi_line cleans it, in characters (code points).
  var INVISIBLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
  var STATUS_PAUSE_MS = 1000;

  function cleanedLength(value) {
    var text = value.replace(/\r\n?/g, "\n").replace(/\t/g, "    ").replace(INVISIBLE, "");
    // Joiners (ZWJ, ZWNJ) stay only between two visible characters, as on the server.
    text = text.replace(/[\u200c\u200d]+/g, function (run, at, whole) {
      return /\S/.test(whole.charAt(at - 1)) && /\S/.test(whole.charAt(at + run.length)) ? run : "";
    });
    return Array.from(text.normalize("NFC").trim()).length;
  }

  function countText(count, left) {
    var number = new Intl.NumberFormat(document.documentElement.lang || "ja").format(Math.abs(left));
    if (left >= 0) return left === 1 ? count.dataset.leftOne : count.dataset.left.replace("{n}", number);
    return left === -1 ? count.dataset.overOne : count.dataset.over.replace("{n}", number);
  }

  function updateCount(field, announce) {
    var count = document.getElementById(field.id + "-count");
    if (!count) return;
    var left = Number(field.dataset.characterLimit) - cleanedLength(field.value);
    count.textContent = countText(count, left);
    count.classList.toggle("character-count-over", left < 0);
    clearTimeout(field.countTimer);
    if (!announce) return;
    field.countTimer = setTimeout(function () {
      var status = document.getElementById(field.id + "-count-status");
      if (status) status.textContent = count.textContent;
    }, STATUS_PAUSE_MS);
  }

  document.addEventListener("input", function (event) {
    if (event.target.dataset && event.target.dataset.characterLimit) updateCount(event.target, true);
  });

  // An error summary's link moves focus to its field and scrolls so that the field's question
  // (its label, or the whole field for a checkbox whose label follows it) is in view, not just
  // the input at the very top of the screen (GOV.UK's error summary). Without JavaScript the
  // link still lands on the field.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) return;
    event.preventDefault();
    var field = input.closest(".field");
    var label = document.querySelector("label[for='" + input.id + "']");
    var question = input.type === "checkbox" || !label ? field || input : label;
    question.scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  });

  // A page (or step) that opens with an error summary: focus it, so it is read first.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    return summary;
  }

  function setUpPage() {
    focusErrorSummary();
    document.querySelectorAll("[data-character-limit]").forEach(function (field) { updateCount(field, false); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpPage);
  else setUpPage();

  // After htmx swaps a new step into <main>, move focus as a page load would: to the error
  // summary if there is one, else to the heading, so screen readers announce the new step.
  // A step that moved on leaves no earlier error message behind.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "main") return;
    document.getElementById("request-error").replaceChildren();
    // A field the step asks for (autofocus: the email just corrected by its fix button) is
    // focused by htmx itself when the swap settles; only without one does focus go to the heading.
    var asked = document.querySelector("#main [autofocus]");
    var focus = document.getElementById("error-summary") || (asked ? null : document.querySelector("#main h1"));
    if (focus) { focus.focus(); window.scrollTo(0, 0); }
    document.querySelectorAll("#main [data-character-limit]").forEach(function (field) { updateCount(field, false); });
  });

  // A token refused because the page stood open too long: the message (templates/errors/csrf.html)
  // brings a fresh one. Put it where the next request takes it, so sending again works.
  function useFreshToken(region) {
    var fresh = region.querySelector("[data-fresh-token]");
    if (!fresh) return;
    var token = fresh.dataset.freshToken;
    document.querySelectorAll("input[name='csrf_token']").forEach(function (input) { input.value = token; });
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    headers["X-CSRFToken"] = token;
    document.body.setAttribute("hx-headers", JSON.stringify(headers));
  }

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
    if (!event.detail.target || event.detail.target.id !== "request-error") return;
    useFreshToken(event.detail.target);
    showProblem(false);
  });
  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function () { showProblem(true); });
  });
})();
