// The donate page: the "other amount" box is only needed when "Other amount" is chosen.
// The exact total with fees is computed on the server and shown on the next page.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("donate-form");
    if (!form) return;
    var other = form.querySelector("[name=other_amount]");
    function sync() {
      var chosen = form.querySelector("[name=preset]:checked");
      if (other) other.disabled = !(chosen && chosen.value === "other");
    }
    form.addEventListener("change", sync);
    sync();
  });
})();
