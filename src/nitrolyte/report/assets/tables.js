// Lay out wide tables so that they stay readable: a column whose cells are all short (numbers,
// units, symbols) never wraps ("col-short"); columns of longer text get a minimum width
// ("col-mid", "col-long") so they wrap into lines instead of a ribbon of single words. Every
// table sits in a scroll container (div.table-wrap) with a sticky header, so a table wider or
// longer than the page scrolls inside its own box.
(function () {
  "use strict";
  var SHORT = 16;  // characters: the longest cell of a column that never wraps
  var LONG = 60;   // characters: from here a column gets the wider minimum width
  function widths(table, n) {
    var longest = [];
    for (var i = 0; i < n; i++) longest.push(0);
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      if (row.cells.length !== n) return;  // group (sub-heading) rows span every column
      Array.prototype.forEach.call(row.cells, function (cell, i) {
        longest[i] = Math.max(longest[i], cell.textContent.trim().length);
      });
    });
    return longest;
  }
  function classify(table) {
    if (!table.tHead || !table.tBodies.length) return;
    var head = table.tHead.rows[0];
    var n = head.cells.length;
    widths(table, n).forEach(function (len, i) {
      var cls = len <= SHORT ? "col-short" : (len >= LONG ? "col-long" : "col-mid");
      head.cells[i].classList.add(cls);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        if (row.cells.length === n) row.cells[i].classList.add(cls);
      });
    });
  }
  document.querySelectorAll(".table-wrap table").forEach(classify);
})();
