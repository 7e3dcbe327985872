/* The dashboard's map arrives drawn as SVG by the server. This script adds what needs a browser: the hover
   box, a click opening the area's profile, zoom and pan through the viewBox, and in-place updates when a
   selector or a page of the table changes (the server sends the new SVG, legend and table as HTML). */
(function () {
  "use strict";

  var ZOOM_STEP = 1.5;
  var WHEEL_STEP = 1.2;
  var MAX_ZOOM = 16;
  var DRAG_SLOP = 4;  // pixels a press may move and still count as a click
  var PAN_STEP = 0.1;  // share of the visible width an arrow key moves

  function svgOf(root) {
    return root.querySelector(".svgmap__svg");
  }

  function baseBox(svg) {
    var b = svg.viewBox.baseVal;
    return { x: b.x, y: b.y, w: b.width, h: b.height };
  }

  function Viewer(root) {
    this.root = root;
    this.stage = root.querySelector(".svgmap__stage");
    this.tip = root.querySelector(".svgmap__tip");
    this.base = baseBox(svgOf(root));
    this.original = svgOf(root).getAttribute("viewBox");
    this.view = { x: this.base.x, y: this.base.y, w: this.base.w, h: this.base.h };
    this.drag = null;
    this.dragged = false;
    this.hovered = null;
    this.bind();
  }

  Viewer.prototype.apply = function () {
    var svg = svgOf(this.root);
    var v = this.view;
    svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].map(function (n) { return n.toFixed(1); }).join(" "));
  };

  // Keeps the visible window inside the whole map and between whole-map and MAX_ZOOM sizes.
  Viewer.prototype.clamp = function () {
    var b = this.base;
    var v = this.view;
    v.w = Math.min(b.w, Math.max(b.w / MAX_ZOOM, v.w));
    v.h = v.w * b.h / b.w;
    v.x = Math.min(b.x + b.w - v.w, Math.max(b.x, v.x));
    v.y = Math.min(b.y + b.h - v.h, Math.max(b.y, v.y));
  };

  Viewer.prototype.zoomAt = function (factor, cx, cy) {
    var v = this.view;
    var w = v.w / factor;
    var k = w / v.w;
    v.x = cx - (cx - v.x) * k;
    v.y = cy - (cy - v.y) * (k);
    v.w = w;
    this.clamp();
    this.apply();
  };

  Viewer.prototype.zoomCentre = function (factor) {
    this.zoomAt(factor, this.view.x + this.view.w / 2, this.view.y + this.view.h / 2);
  };

  Viewer.prototype.reset = function () {
    var b = this.base;
    this.view = { x: b.x, y: b.y, w: b.w, h: b.h };
    svgOf(this.root).setAttribute("viewBox", this.original);
  };

  Viewer.prototype.pan = function (dx, dy) {
    this.view.x += dx;
    this.view.y += dy;
    this.clamp();
    this.apply();
  };

  // View units of a point on screen (the SVG keeps its aspect ratio, so the screen CTM says it all).
  Viewer.prototype.toView = function (clientX, clientY) {
    var svg = svgOf(this.root);
    var ctm = svg.getScreenCTM();
    var p = new DOMPoint(clientX, clientY).matrixTransform(ctm.inverse());
    return { x: p.x, y: p.y, scale: ctm.a };
  };

  Viewer.prototype.showTip = function (path, clientX, clientY) {
    var svg = svgOf(this.root);
    var fields = JSON.parse(svg.getAttribute("data-fields") || "[]");
    var lookup = JSON.parse(svg.getAttribute("data-lookup") || "{}");
    // a shared text is stored once in the SVG and referred to by its position
    function read(key) {
      var value = path.getAttribute("data-" + key);
      if (value !== null && lookup[key]) {
        value = lookup[key][Number(value)];
      }
      return value;
    }
    if (this.hovered !== path) {
      if (this.hovered) {
        this.hovered.classList.remove("is-hover");
      }
      path.classList.add("is-hover");
      // last in the group, so its highlighted outline is not hidden under the neighbours' edges
      path.parentNode.appendChild(path);
      this.hovered = path;
      var tip = this.tip;
      tip.textContent = "";
      var name = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = path.getAttribute("data-name");
      name.appendChild(strong);
      tip.appendChild(name);
      fields.forEach(function (field) {
        var row = document.createElement("p");
        var value = read(field[0]);
        row.textContent = field[1] + ": " + (value === null ? "\u2013" : value);
        tip.appendChild(row);
      });
      var note = read("note");
      if (note) {
        var em = document.createElement("p");
        em.className = "svgmap__tip-note";
        em.textContent = note;
        tip.appendChild(em);
      }
      tip.hidden = false;
    }
    var box = this.root.getBoundingClientRect();
    var x = clientX - box.left + 14;
    var y = clientY - box.top + 14;
    if (x + this.tip.offsetWidth > box.width) {
      x = Math.max(0, clientX - box.left - this.tip.offsetWidth - 14);
    }
    if (y + this.tip.offsetHeight > box.height) {
      y = Math.max(0, clientY - box.top - this.tip.offsetHeight - 14);
    }
    this.tip.style.left = Math.max(0, x) + "px";
    this.tip.style.top = Math.max(0, y) + "px";
  };

  Viewer.prototype.hideTip = function () {
    if (this.hovered) {
      this.hovered.classList.remove("is-hover");
      this.hovered = null;
    }
    this.tip.hidden = true;
  };

  Viewer.prototype.bind = function () {
    var self = this;
    var stage = this.stage;
    var tools = this.root.querySelector(".svgmap__tools");
    if (tools) {
      tools.hidden = false;
      tools.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-zoom]");
        if (!button) {
          return;
        }
        var how = button.getAttribute("data-zoom");
        if (how === "in") {
          self.zoomCentre(ZOOM_STEP);
        } else if (how === "out") {
          self.zoomCentre(1 / ZOOM_STEP);
        } else {
          self.reset();
        }
      });
    }
    stage.setAttribute("tabindex", "0");
    stage.setAttribute("role", "group");
    stage.setAttribute("aria-label", stage.getAttribute("data-label") || "");
    stage.addEventListener("keydown", function (event) {
      var v = self.view;
      var step = v.w * PAN_STEP;
      var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[event.key]) {
        self.pan(moves[event.key][0], moves[event.key][1]);
      } else if (event.key === "+" || event.key === "=") {
        self.zoomCentre(ZOOM_STEP);
      } else if (event.key === "-") {
        self.zoomCentre(1 / ZOOM_STEP);
      } else if (event.key === "0") {
        self.reset();
      } else {
        return;
      }
      event.preventDefault();
    });
    stage.addEventListener("wheel", function (event) {
      var p = self.toView(event.clientX, event.clientY);
      var before = self.view.w;
      self.zoomAt(event.deltaY < 0 ? WHEEL_STEP : 1 / WHEEL_STEP, p.x, p.y);
      // at the zoom limits the wheel scrolls the page as usual
      if (self.view.w !== before) {
        event.preventDefault();
      }
    }, { passive: false });
    stage.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) {
        return;
      }
      self.drag = { x: event.clientX, y: event.clientY, view: { x: self.view.x, y: self.view.y }, id: event.pointerId };
      self.dragged = false;
    });
    stage.addEventListener("pointermove", function (event) {
      var d = self.drag;
      if (d && d.id === event.pointerId) {
        var dx = event.clientX - d.x;
        var dy = event.clientY - d.y;
        if (!self.dragged && Math.abs(dx) + Math.abs(dy) > DRAG_SLOP) {
          // capture only once it is a drag, so a plain click still reaches the area under the pointer
          self.dragged = true;
          stage.setPointerCapture(event.pointerId);
          stage.classList.add("is-dragging");
          self.hideTip();
        }
        if (self.dragged) {
          var scale = svgOf(self.root).getScreenCTM().a;
          self.view.x = d.view.x - dx / scale;
          self.view.y = d.view.y - dy / scale;
          self.clamp();
          self.apply();
          return;
        }
      }
      var path = event.target.closest && event.target.closest(".svgmap__areas [data-id]");
      if (path) {
        self.showTip(path, event.clientX, event.clientY);
      } else {
        self.hideTip();
      }
    });
    function endDrag(event) {
      if (self.drag && self.drag.id === event.pointerId) {
        self.drag = null;
        stage.classList.remove("is-dragging");
      }
    }
    stage.addEventListener("pointerup", endDrag);
    stage.addEventListener("pointercancel", endDrag);
    stage.addEventListener("pointerleave", function () {
      self.hideTip();
    });
    stage.addEventListener("click", function (event) {
      if (self.dragged) {
        self.dragged = false;
        return;
      }
      var base = self.root.getAttribute("data-area-url");
      var path = event.target.closest && event.target.closest(".svgmap__areas [data-id]");
      if (base && path) {
        window.location.href = base + encodeURIComponent(path.getAttribute("data-id")) +
          "?year=" + encodeURIComponent(self.root.getAttribute("data-year"));
      }
    });
  };

  // Focusing a row's link in the table under the map outlines that area and shows its figures on the map.
  Viewer.prototype.followTable = function (table) {
    var self = this;
    table.addEventListener("focusin", function (event) {
      var link = event.target.closest && event.target.closest("a[href*='/areas/']");
      var id = link && decodeURIComponent(link.pathname.split("/areas/").pop());
      var path = id && svgOf(self.root).querySelector(".svgmap__areas [data-id='" + window.CSS.escape(id) + "']");
      if (path) {
        var box = path.getBoundingClientRect();
        self.showTip(path, box.left + box.width / 2, box.top + box.height / 2);
      }
    });
    table.addEventListener("focusout", function () {
      self.hideTip();
    });
  };

  // The new SVG keeps the current zoom when it covers the same map (every level shares one projection).
  Viewer.prototype.replace = function (svgMarkup) {
    this.hideTip();
    this.stage.innerHTML = svgMarkup;
    var base = baseBox(svgOf(this.root));
    this.original = svgOf(this.root).getAttribute("viewBox");
    var same = base.x === this.base.x && base.y === this.base.y && base.w === this.base.w && base.h === this.base.h;
    this.base = base;
    if (same) {
      this.apply();
    } else {
      this.reset();
    }
  };

  // Once the map is laid out and painted: data-rendered for tests, a performance mark for measurements.
  function markRendered(root) {
    window.requestAnimationFrame(function () {
      window.setTimeout(function () {
        var revision = Number(root.getAttribute("data-revision") || "0") + 1;
        root.setAttribute("data-revision", String(revision));
        root.setAttribute("data-rendered", "true");
        if (revision === 1 && window.performance && window.performance.mark) {
          window.performance.mark("map-rendered");
        }
      }, 0);
    });
  }

  function setupControls(form, viewer) {
    var map = viewer.root;
    var status = document.getElementById("map-status");
    var caption = document.getElementById("map-caption");
    var legend = document.getElementById("map-legend");
    var table = document.getElementById("map-table");
    var switchLink = document.querySelector("[data-lang-switch]");
    var busy = null;

    function update(params, focusRel) {
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
            return;  // a later change is already on its way
          }
          viewer.replace(body.svg);
          legend.innerHTML = body.legend;
          table.innerHTML = body.table;
          caption.textContent = body.caption;
          map.setAttribute("data-year", params.get("year") || map.getAttribute("data-year"));
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
          if (focusRel) {
            // the link pressed was replaced: keep the keyboard where it was, or on the rows' count
            var next = table.querySelector("a[data-table-page][rel='" + focusRel + "']") ||
              document.getElementById("table-status");
            if (next.tagName !== "A") {
              next.setAttribute("tabindex", "-1");
            }
            next.focus();
          }
          status.textContent = body.status;
          markRendered(map);
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

    form.addEventListener("change", function () {
      update(new URLSearchParams(new FormData(form)));
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update(new URLSearchParams(new FormData(form)));
    });
    table.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-table-page]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
        return;
      }
      event.preventDefault();
      var params = new URLSearchParams(link.search);
      params.set("lang", form.elements.lang.value);
      update(params, link.getAttribute("rel"));
    });
  }

  var root = document.getElementById("map");
  if (!root || !svgOf(root)) {
    return;
  }
  var viewer = new Viewer(root);
  markRendered(root);
  var table = document.getElementById("map-table");
  if (table && window.CSS && window.CSS.escape) {
    viewer.followTable(table);
  }
  var controls = document.getElementById("map-controls");
  if (controls && window.fetch && window.URLSearchParams && window.history.replaceState) {
    setupControls(controls, viewer);
  }
})();
