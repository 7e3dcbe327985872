/* Draws every figure whose Plotly JSON the server embedded in the page (data-plotly-figure="<script id>"),
   and, on the indicator map, redraws in place when a selector changes: the server builds the new figure. */
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

  function markRendered(el) {
    var revision = Number(el.getAttribute("data-revision") || "0") + 1;
    el.setAttribute("data-revision", String(revision));
    el.setAttribute("data-rendered", "true");
    // A named mark lets tests and operators measure navigation-to-drawn time with the Performance API.
    if (revision === 1 && window.performance && window.performance.mark) {
      window.performance.mark("map-rendered");
    }
  }

  // Clicking an area (or its unstable-value marker) opens the area's profile for the year shown.
  function openProfileOnClick(el) {
    var base = el.getAttribute("data-area-url");
    if (!base) {
      return;
    }
    el.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var id = point && (point.location || point.id);
      if (id) {
        window.location.href = base + encodeURIComponent(id) + "?year=" + el.getAttribute("data-year");
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

  function setupControls(form) {
    var map = document.getElementById("map");
    var status = document.getElementById("map-status");
    var caption = document.getElementById("map-caption");
    var table = document.getElementById("map-table");
    var switchLink = document.querySelector("[data-lang-switch]");
    var busy = null;

    function update() {
      var params = new URLSearchParams(new FormData(form));
      var url = form.getAttribute("data-fragment-url") + "?" + params.toString();
      var ticket = {};
      busy = ticket;
      map.setAttribute("aria-busy", "true");
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (body) {
          if (busy !== ticket) {
            return null;  // a later change is already on its way
          }
          var figure = JSON.parse(body.figure);
          table.innerHTML = body.table;
          caption.textContent = body.caption;
          map.setAttribute("aria-label", body.label);
          map.setAttribute("data-year", params.get("year"));
          form.elements.method.value = body.method;
          body.methods.forEach(function (m) {
            var option = form.querySelector("#ctl-method option[value='" + m.value + "']");
            if (option) {
              option.disabled = m.disabled;
            }
          });
          window.history.replaceState(null, "", body.url);
          if (switchLink) {
            switchLink.setAttribute("href", body.switch_url);
          }
          return window.Plotly.react(map, figure.data, figure.layout, figure.config).then(function () {
            markRendered(map);
            status.textContent = body.status;
          });
        })
        .catch(function () {
          status.textContent = form.getAttribute("data-failed") || "";
        })
        .then(function () {
          if (busy === ticket) {
            map.removeAttribute("aria-busy");
          }
        });
    }

    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update();
    });
  }

  document.querySelectorAll("[data-plotly-figure]").forEach(draw);
  var controls = document.getElementById("map-controls");
  if (controls && window.fetch && window.URLSearchParams && window.history.replaceState) {
    setupControls(controls);
  }
})();
