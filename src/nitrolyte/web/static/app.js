// nitrolyte web pages: draw embedded Plotly figures; the cell designer; the upload preview.
// Talks only to this server's /api/v1 (the Content-Security-Policy allows nothing else).
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  // significant figures, trailing zeros dropped: the text of pages.significant on the server
  function strip(text) { return text.indexOf(".") < 0 ? text : text.replace(/0+$/, "").replace(/\.$/, ""); }
  function fmt(value, digits) {
    if (value === null || value === undefined || !isFinite(value)) return "–";
    var v = Number(value), d = digits || 4;
    if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) {
      var parts = v.toExponential(d - 1).split("e");
      return strip(parts[0]) + "e" + Number(parts[1]);
    }
    return strip(v.toFixed(v === 0 ? 0 : Math.max(0, d - 1 - Math.floor(Math.log10(Math.abs(v))))));
  }

  function showError(el, message) {
    if (!el) return;
    el.hidden = !message;
    el.textContent = message || "";
  }

  function api(path, options) {
    return fetch(path, options).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
        return body;
      });
    });
  }

  function postJSON(path, doc) {
    return api(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(doc)});
  }

  // ---------------------------------------------------------------- embedded figures
  document.querySelectorAll("div.plot[data-figure]").forEach(function (div) {
    var fig = JSON.parse($(div.getAttribute("data-figure")).textContent);
    Plotly.newPlot(div, fig.data, fig.layout, {responsive: true, displaylogo: false});
  });

  // ---------------------------------------------------------------- cell designer
  var cellForm = $("cell-form");
  if (cellForm) {
    var keys = ["areal_capacity_mAh_cm2", "catholyte_um", "nitride_um", "n_p", "al_um", "cu_um"];
    var pending = null, seq = 0, families = {}, last = null;
    var design = function () {
      var d = {catholyte: $("catholyte").value, nitride: $("nitride").value};
      keys.forEach(function (k) { d[k] = parseFloat($(k).value); $(k + "-value").textContent = $(k).value; });
      return d;
    };
    var family = function (catholyte) {  // the report's Fig. 17 curves, fetched once per catholyte
      if (!families[catholyte]) families[catholyte] = api("/api/v1/cells/figure17?catholyte=" + encodeURIComponent(catholyte));
      return families[catholyte];
    };
    var critical = function (d, target, solveFor, cell) {
      var body = Object.assign({}, d, {target: target, solve_for: solveFor});
      return postJSON("/api/v1/cells/critical", body).then(function (r) {
        $(cell).textContent = r.reachable ? fmt(r.value, 3) : "not reachable";
      });
    };
    var draw = function (d, cell, fam) {  // the family of the chosen panel and the current design
      var panel = fam.panels[parseInt($("fig17-panel").value, 10)];
      var x = panel.x_name === "n_p" ? d.n_p : (d.catholyte_um + d.nitride_um) / 2;
      var traces = panel.curves.map(function (c) {
        return {x: c.x, y: c.gravimetric_Wh_kg, mode: "lines", line: {color: c.colour, width: 2},
                name: c.areal_capacity_mAh_cm2 + " mAh/cm²"};
      });
      traces.push({x: [x], y: [cell.gravimetric_Wh_kg], mode: "markers", name: "current design",
                   marker: {size: 13, color: "#d62728", line: {color: "black", width: 1}}});
      Plotly.react("fig17", traces,
        {template: "simple_white", height: 460, margin: {t: 40, l: 60, r: 20, b: 50},
         title: {text: panel.title, font: {size: 13}},
         xaxis: {title: {text: panel.x_label}}, yaxis: {title: {text: "gravimetric energy density (Wh/kg)"}},
         legend: {title: {text: "areal capacity"}},
         shapes: [350, 500].map(function (t) { return {type: "line", xref: "paper", x0: 0, x1: 1, y0: t, y1: t,
           line: {dash: "dash", width: 1, color: "black"}}; })},
        {responsive: true, displaylogo: false});
    };
    var update = function () {
      var d = design(), mine = ++seq;
      Promise.all([postJSON("/api/v1/cells", d), family(d.catholyte)]).then(function (res) {
        if (mine !== seq) return;
        var cell = res[0];
        last = {d: d, cell: cell, fam: res[1]};
        $("wh-kg").textContent = fmt(cell.gravimetric_Wh_kg, 4);
        $("wh-l").textContent = fmt(cell.volumetric_Wh_L, 4);
        var rows = Object.keys(cell.breakdown).map(function (layer) {
          var b = cell.breakdown[layer];
          return "<tr><td>" + layer + "</td><td>" + fmt(b.mass_mg_cm2, 3) + "</td><td>" + fmt(b.thickness_um, 3) + "</td></tr>";
        });
        $("breakdown").tBodies[0].innerHTML = rows.join("");
        draw(d, cell, res[1]);
        showError($("cell-error"), "");
      }).catch(function (e) { showError($("cell-error"), e.message); });
      Promise.all([
        critical(d, 350, "nitride_um", "crit-nitride-350"), critical(d, 500, "nitride_um", "crit-nitride-500"),
        critical(d, 350, "areal_capacity_mAh_cm2", "crit-q-350"), critical(d, 500, "areal_capacity_mAh_cm2", "crit-q-500"),
        critical(d, 350, "n_p", "crit-np-350"), critical(d, 500, "n_p", "crit-np-500"),
      ]).catch(function (e) { showError($("cell-error"), e.message); });
    };
    var later = function () { clearTimeout(pending); pending = setTimeout(update, 60); };
    keys.forEach(function (k) { $(k).addEventListener("input", later); });
    $("catholyte").addEventListener("change", later);
    $("nitride").addEventListener("change", later);
    $("fig17-panel").addEventListener("change", function () { if (last) draw(last.d, last.cell, last.fam); });
    update();
  }

  // ---------------------------------------------------------------- upload
  var uploadForm = $("upload-form");
  if (uploadForm) {
    var syncKind = function () {
      var kind = $("kind").value;
      $("eis-fields").hidden = kind !== "eis";
      $("meta-fields").hidden = kind === "imports";
    };
    $("kind").addEventListener("change", syncKind);
    syncKind();
    var send = function (store) {
      var kind = $("kind").value, files = $("files").files, data = new FormData();
      showError($("upload-error"), "");
      $("upload-status").textContent = "";
      if (!files.length) { showError($("upload-error"), "files: choose a file first"); return; }
      if (kind === "imports" && !store) { previewImport(files[0]); return; }
      if (kind === "eis") {
        Array.prototype.forEach.call(files, function (f) { data.append("files", f); });
        ["thickness", "area", "diameter", "circuit", "convention"].forEach(function (k) {
          var v = uploadForm.elements[k].value.trim(); if (v) data.append(k, v); });
        if (store && $("force").checked) data.append("force", "true");
        $("temps").value.split(",").map(function (t) { return t.trim(); }).filter(Boolean)
          .forEach(function (t) { data.append("T", t); });
      } else {
        data.append("file", files[0]);
      }
      if (kind !== "imports") {
        data.append("store", store ? "true" : "false");
        ["name", "formula", "family"].forEach(function (k) {
          var v = uploadForm.elements[k].value.trim(); if (v) data.append(k, v); });
      }
      var headers = {};
      if (store) {
        var token = $("token").value.trim();
        if (!token) { showError($("upload-error"), "token: enter a token to store"); return; }
        headers.Authorization = "Bearer " + token;
      }
      api("/api/v1/" + kind, {method: "POST", body: data, headers: headers}).then(function (doc) {
        render(kind, doc);
        var stored = doc.stored || (kind === "imports" ? doc : null);
        $("upload-status").textContent = stored ? "Stored (added by " + stored.added_by + ")." : "Preview only: nothing stored.";
      }).catch(function (e) { showError($("upload-error"), e.message); });
    };
    var previewImport = function (file) {
      file.text().then(function (text) {
        var lines = text.split(/\r?\n/).filter(Boolean).slice(0, 21);
        $("preview-out").innerHTML = "<pre id='import-preview'></pre>";
        $("import-preview").textContent = lines.join("\n");
        $("upload-status").textContent = "Preview of the first rows; Store validates every row (all or nothing).";
      });
    };
    var pm = function (v, e, fixed) {  // a value to the second significant figure of its error
      if (!(e > 0) || !isFinite(e)) return fixed ? v.toFixed(3) : fmt(v, 3);
      var d = Math.max(0, 1 - Math.floor(Math.log10(e)));
      if (fixed) return v.toFixed(d) + " ± " + e.toFixed(d);
      var digits = Math.min(Math.max(Math.floor(Math.log10(Math.abs(v))) - Math.floor(Math.log10(e)) + 1, 1), 6);
      return v.toExponential(digits) + " ± " + e.toExponential(1);
    };
    var last = null;
    $("whole-spectrum").addEventListener("change", function () { if (last) render(last.kind, last.doc); });
    var render = function (kind, doc) {
      last = {kind: kind, doc: doc};
      var out = $("preview-out"), rows = [];
      if (kind === "imports") { out.textContent = doc.n_measurements + " measurement(s) imported, " + doc.n_materials_created + " new material(s)."; return; }
      var fit = kind === "fits" ? doc.fit : doc.arrhenius;
      if (fit) {
        var law = doc.law_label || "law not stated";  // the server names the law (registry label)
        if (fit.parameters) {  // any law: its parameters (units in the names)
          Object.keys(fit.parameters).forEach(function (k) {
            rows.push([k + " (" + law + ")", pm(fit.parameters[k], fit.parameter_stderr[k])]); });
        } else {
          rows.push(["Ea (eV, " + law + (fit.loss === "huber" ? ", robust fit" : "") + ")", pm(fit.Ea_eV, fit.Ea_stderr_eV, true)]);
        }
        rows.push(["σ at 25 °C (S/cm)", fmt(doc.sigma_RT_S_cm, 3)]);
        rows.push(["R²", fit.r_squared.toFixed(4)]);
      }
      (doc.impedance_fits || []).forEach(function (f) {
        rows.push([(f.source || "").split("/").pop() + (f.T_K ? " (" + f.T_K.toFixed(1) + " K)" : "") + (f.reliable === false ? " UNRELIABLE" : ""),
                   "σ bulk " + pm(f.sigma_bulk_S_cm, f.sigma_bulk_stderr_S_cm) + ", total " + pm(f.sigma_total_S_cm, f.sigma_total_stderr_S_cm) + " S/cm" +
                   (f.reliable === false ? " (unreliable: " + f.problems.join("; ") + ")" : "")]);
      });
      var warnings = (doc.warnings || []).concat(fit && fit.outliers ? fit.outliers.map(function (o, i) {
        return o ? fit.T_K[i] + " K is an outlier (kept)" : null; }).filter(Boolean) : []);
      out.innerHTML = "<table id='preview-table'><tbody></tbody></table><ul id='preview-warnings'></ul>";
      rows.forEach(function (r) {
        var tr = document.createElement("tr");
        r.forEach(function (c) { var td = document.createElement("td"); td.textContent = c; tr.appendChild(td); });
        $("preview-table").tBodies[0].appendChild(tr);
      });
      (warnings.length ? warnings : ["no warnings"]).forEach(function (w) {
        var li = document.createElement("li"); li.textContent = w; $("preview-warnings").appendChild(li); });
      var traces = [], layout = {template: "simple_white", height: 420, margin: {t: 30, l: 70, r: 20, b: 50}};
      if (doc.nyquist) {
        var hi = 0;
        doc.nyquist.forEach(function (n) {
          traces.push({x: n.Z_real_ohm, y: n.minus_Z_imag_ohm, mode: "markers", name: n.source});
          traces.push({x: n.fit_Z_real_ohm, y: n.fit_minus_Z_imag_ohm, mode: "lines", name: n.source + " fit"});
          hi = Math.max(hi, n.arcs_view_ohm[1]);
        });
        layout.xaxis = {title: {text: "Z′ (Ω)"}, tickformat: ".3~s"};
        layout.yaxis = {title: {text: "−Z″ (Ω)"}, scaleanchor: "x", scaleratio: 1, tickformat: ".3~s"};
        if (!$("whole-spectrum").checked) {  // the arcs, not the blocking-electrode tail
          layout.xaxis.range = [-0.05 * hi, hi]; layout.yaxis.range = [-0.05 * hi, 0.6 * hi];
        }
      } else if (fit) {
        traces.push({x: fit.T_K.map(function (t) { return 1000 / t; }), y: fit.sigma_S_cm, mode: "markers", name: "data"});
        layout.xaxis = {title: {text: "1000/T (1/K)"}}; layout.yaxis = {title: {text: "σ (S/cm)"}, type: "log"};
      }
      Plotly.react("preview-plot", traces, layout, {displaylogo: false});
    };
    $("preview").addEventListener("click", function () { send(false); });
    $("store").addEventListener("click", function () { send(true); });
  }
})();
