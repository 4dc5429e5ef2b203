// Click a header of any table.sortable to sort by that column (numbers numerically; a cell's
// data-sort attribute wins over its text). Click again to reverse. Group rows (tr.group) are
// dropped from the order once the table is sorted, so rows never sit under the wrong heading.
(function () {
  "use strict";
  function key(cell) {
    if (!cell) return "";
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    var text = raw.trim();
    var num = parseFloat(text.replace(/[~<>≈]/g, "").replace("×10^", "e").replace("e−", "e-"));
    return text !== "" && !isNaN(num) && /^[~<>≈]?\s*[-+−]?[0-9.]/.test(text) ? num : text.toLowerCase();
  }
  function compare(a, b) {
    if (a === "" && b !== "") return 1;
    if (b === "" && a !== "") return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b));
  }
  function sortBy(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) {
      if (r.classList.contains("group")) { r.remove(); return false; }
      return true;
    });
    rows.sort(function (r1, r2) {
      var c = compare(key(r1.cells[index]), key(r2.cells[index]));
      return dir * c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th) {
      th.setAttribute("title", "click to sort");
      th.addEventListener("click", function () { sortBy(table, th); });
    });
  });
})();
