// The confirmation page waits for the server to confirm the payment (from Stripe's
// webhook), asking every two seconds for up to five minutes, then shows the paid page.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("order-state");
    if (!box || !box.dataset.statusUrl) return;
    var tries = 0;
    function check() {
      tries += 1;
      fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (body.paid || body.state === "cancelled") { window.location.reload(); return; }
          if (tries < 150) setTimeout(check, 2000);
        })
        .catch(function () { if (tries < 150) setTimeout(check, 4000); });
    }
    setTimeout(check, 1000);
  });
})();
