// Staff pages, on top of pages that work without JavaScript: after an htmx swap keep keyboard
// focus somewhere sensible (never <body>) and say once what the new results hold; leave a table's
// scrolling box in the tab order only while it has something to scroll.
(function () {
  "use strict";

  var started = null;   // at the start of the latest request: what had focus, and what it replaces

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    started = { focused: document.activeElement, targetId: target && target.id };
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var request = started;
    // An error answer goes to #request-error, and site.js puts focus on its message.
    if (!request || (event.detail.target && event.detail.target.id === "request-error")) return;
    started = null;
    var region = request.targetId && document.getElementById(request.targetId);
    if (!region) return;
    announce(region.getAttribute("data-announce"));
    placeFocus(request.focused, region);
    fitScrollRegions();
  });

  function placeFocus(focused, region) {
    // The control used is still there (a filter, "Show", "Verify now"): focus stays on it. htmx
    // disables some buttons while they wait, which drops their focus: it is given back.
    if (focused && focused !== document.body && document.body.contains(focused)) {
      if (document.activeElement !== focused) focused.focus();
      return;
    }
    // Else, in the new content: a message to read first (saved, refused, the error summary), the
    // same control (the tab chosen keeps its id), the results' heading, or the region itself.
    var same = focused && focused.id ? document.getElementById(focused.id) : null;
    var target = region.querySelector("[data-focus-after-swap], #error-summary") ||
      (same && region.contains(same) ? same : null) ||
      region.querySelector("[data-results-heading]") || region;
    if (target === region && !region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1");
    target.focus();
  }

  // One polite status region for the whole page (templates/staff/base.html). It is emptied first,
  // so that the same words after another swap are read out again.
  function announce(text) {
    var announcer = document.getElementById("staff-announcer");
    if (!text || !announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 150);
  }

  // A table's scrolling box (macros/tables.html) comes with tabindex="0", so that without
  // JavaScript too it can be reached with Tab and scrolled with the arrow keys. While the table
  // fits, that would be a stop that does nothing, so it leaves the tab order until it scrolls.
  function fitScrollRegions() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
      else if (box !== document.activeElement) box.removeAttribute("tabindex");
    });
  }

  var resizing = false;
  window.addEventListener("resize", function () {
    if (resizing) return;
    resizing = true;
    window.requestAnimationFrame(function () { resizing = false; fitScrollRegions(); });
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fitScrollRegions);
  else fitScrollRegions();
})();
