// The timesheet grid: row, day and week totals and overtime (over 40 h worked in a workweek,
// paid time off not counted) recomputed as hours are typed. The page works without it: the
// server computes the same totals when the sheet is saved.
(function () {
  "use strict";
  var form = document.querySelector("[data-time-grid]");
  if (!form) return;
  function hours(text) {
    var n = parseFloat(String(text).trim());
    return isFinite(n) && n > 0 ? Math.round(n * 100) : 0; // in hundredths: no float drift
  }
  function show(cents) { return (cents / 100).toFixed(2); }
  function cellValue(td) {
    var input = td.querySelector("input");
    return hours(input ? input.value : td.textContent);
  }
  function recompute() {
    var dayTotals = {}, grand = 0;
    form.querySelectorAll("tbody[data-row]").forEach(function (body) {
      var weeks = [0, 0], rowTotal = 0;
      body.querySelectorAll("tr[data-kind]").forEach(function (tr) {
        var kindTotal = 0;
        tr.querySelectorAll("td[data-day]").forEach(function (td) {
          var v = cellValue(td), day = td.getAttribute("data-day");
          kindTotal += v;
          dayTotals[day] = (dayTotals[day] || 0) + v;
          if (tr.getAttribute("data-kind") !== "pto") weeks[+td.getAttribute("data-week")] += v;
        });
        tr.querySelector("[data-total]").textContent = show(kindTotal);
        rowTotal += kindTotal;
      });
      body.querySelectorAll("[data-week-summary]").forEach(function (td) {
        var w = weeks[+td.getAttribute("data-week-summary")];
        td.querySelector("[data-worked]").textContent = show(w);
        td.querySelector("[data-overtime]").textContent = show(Math.max(0, w - 4000));
      });
      body.querySelector("[data-row-total]").textContent = show(rowTotal);
      grand += rowTotal;
    });
    Object.keys(dayTotals).forEach(function (day) {
      var td = form.querySelector('[data-day-total="' + day + '"]');
      if (td) td.textContent = show(dayTotals[day]);
    });
    var g = form.querySelector("[data-grand-total]");
    if (g) g.textContent = show(grand);
  }
  form.addEventListener("input", recompute);
})();
