// Check-in kiosk: filter the list of names as the volunteer types (the search button
// still works without JavaScript).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("[data-kiosk-filter]");
    var rows = document.querySelectorAll("#kiosk-list .kiosk-row");
    if (!input || !rows.length) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      rows.forEach(function (row) {
        row.hidden = needle !== "" && row.dataset.name.indexOf(needle) === -1;
      });
    });
  });
})();
