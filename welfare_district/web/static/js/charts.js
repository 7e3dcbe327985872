/* Draws every chart whose Plotly JSON the server embedded in the page (data-plotly-figure="<script id>").
   Clicking a point that names an area (a chart with data-area-url) opens that area's profile. */
(function () {
  "use strict";

  // Plotly asks for a world topojson for every geo subplot whose traces use a locationmode, fetching it
  // from a CDN. Our geo charts draw only the areas in their own GeoJSON and hide the base map, so an empty
  // topology registered up front satisfies Plotly and keeps the page from requesting anything outside.
  var EMPTY_TOPOLOGY = { type: "Topology", objects: {}, arcs: [] };
  window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
  window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
  ["world_110m", "world_50m"].forEach(function (name) {
    if (!window.PlotlyGeoAssets.topojson[name]) {
      window.PlotlyGeoAssets.topojson[name] = EMPTY_TOPOLOGY;
    }
  });

  function markRendered(el) {
    el.setAttribute("data-rendered", "true");
    // A named mark lets tests and benchmarks measure navigation-to-drawn time with the Performance API.
    if (window.performance && window.performance.mark) {
      window.performance.mark("chart-rendered:" + (el.id || "chart"));
    }
  }

  function openProfileOnClick(el) {
    var base = el.getAttribute("data-area-url");
    if (!base) {
      return;
    }
    el.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var id = point && (point.location || point.id);
      if (id) {
        var year = el.getAttribute("data-year");
        window.location.href = base + encodeURIComponent(id) + (year ? "?year=" + year : "");
      }
    });
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-plotly-figure"));
    if (!source || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, figure.data, figure.layout || {}, figure.config || {}).then(function () {
      markRendered(el);
      openProfileOnClick(el);
    });
  }

  document.querySelectorAll("[data-plotly-figure]").forEach(draw);
})();
