// dioscope report page: zoom (simulated-time gaps become vertical space) and
// event-kind filters, per case, applied to its before and after timelines.
(function () {
  "use strict";
  // Pixels per simulated microsecond at each zoom level; 0 = events in order only.
  var LEVELS = [0, 0.01, 0.1, 1, 10, 100, 1000];
  var MAX_GAP_PX = 800;

  function layout(caseEl) {
    var px = LEVELS[Number(caseEl.dataset.zoom || 0)];
    caseEl.querySelectorAll(".timeline").forEach(function (tl) {
      var prev = null;
      tl.querySelectorAll(".row:not(.head)").forEach(function (row) {
        if (row.offsetParent === null) return;
        var t = Number(row.dataset.t);
        var gap = prev === null || px === 0 ? 0 : Math.min(MAX_GAP_PX, ((t - prev) / 1000) * px);
        row.style.paddingTop = gap.toFixed(1) + "px";
        row.classList.toggle("gap-cut", gap >= MAX_GAP_PX);
        prev = t;
      });
    });
    var lvl = caseEl.querySelector(".zoom-level");
    if (lvl) lvl.textContent = px === 0 ? "order only" : px + " px/µs";
  }

  function zoom(caseEl, delta) {
    var z = Math.max(0, Math.min(LEVELS.length - 1, Number(caseEl.dataset.zoom || 0) + delta));
    caseEl.dataset.zoom = String(z);
    layout(caseEl);
  }

  document.querySelectorAll("article.case").forEach(function (caseEl) {
    caseEl.dataset.zoom = "0";
    caseEl.querySelector(".zoom-in").addEventListener("click", function () { zoom(caseEl, 1); });
    caseEl.querySelector(".zoom-out").addEventListener("click", function () { zoom(caseEl, -1); });
    caseEl.querySelector(".zoom-reset").addEventListener("click", function () { caseEl.dataset.zoom = "0"; layout(caseEl); });
    caseEl.querySelector(".pair").addEventListener("wheel", function (ev) {
      if (!ev.ctrlKey) return;
      ev.preventDefault();
      zoom(caseEl, ev.deltaY < 0 ? 1 : -1);
    }, { passive: false });
    caseEl.querySelectorAll("input.filter").forEach(function (box) {
      box.addEventListener("change", function () {
        caseEl.classList.toggle("hide-" + box.value, !box.checked);
        layout(caseEl);
      });
    });
    layout(caseEl);
  });
  document.body.dataset.ready = "1";
})();
