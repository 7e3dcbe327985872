/* Draws every figure whose Plotly JSON the server embedded in the page (data-plotly-figure="<script id>"). */
(function () {
  "use strict";

  // Plotly asks for a world topojson for every geo subplot whose traces use a locationmode, fetching it
  // from a CDN. Our maps draw only the areas in their own GeoJSON and hide the base map, so an empty
  // topology registered up front satisfies Plotly and keeps the page from requesting anything outside.
  var EMPTY_TOPOLOGY = { type: "Topology", objects: {}, arcs: [] };
  window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
  window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
  ["world_110m", "world_50m"].forEach(function (name) {
    if (!window.PlotlyGeoAssets.topojson[name]) {
      window.PlotlyGeoAssets.topojson[name] = EMPTY_TOPOLOGY;
    }
  });

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-plotly-figure"));
    if (!source || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, figure.data, figure.layout || {}, figure.config || {}).then(function () {
      el.setAttribute("data-rendered", "true");
      // A named mark lets tests and operators measure navigation-to-drawn time with the Performance API.
      if (window.performance && window.performance.mark) {
        window.performance.mark("map-rendered");
      }
    });
  }

  document.querySelectorAll("[data-plotly-figure]").forEach(draw);
})();
