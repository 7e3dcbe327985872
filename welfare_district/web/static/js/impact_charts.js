/* The impact pages' charts arrive drawn as SVG by the server; this only says when they are on screen:
   data-rendered="true" on each [data-svg-chart] figure once laid out and painted (tests wait for it), and
   a performance mark "chart-rendered:<id>" for measurements, as the other charts of the site do. */
(function () {
  "use strict";

  var charts = document.querySelectorAll("[data-svg-chart]");
  if (!charts.length) {
    return;
  }
  window.requestAnimationFrame(function () {
    window.setTimeout(function () {
      Array.prototype.forEach.call(charts, function (el) {
        el.setAttribute("data-rendered", "true");
        if (window.performance && window.performance.mark) {
          window.performance.mark("chart-rendered:" + (el.id || "chart"));
        }
      });
    }, 0);
  });
})();
