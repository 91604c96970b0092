// The claim-link order form (shop/templates/shop/gifts/claim_order.html): a field that
// matters for one choice only (data-when="delivery=email", "outcome=fallback") is hidden
// while another is chosen. Without JavaScript every field shows; the server ignores the rest.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var dependent = document.querySelectorAll("[data-when]");
    if (!dependent.length) return;
    function update() {
      dependent.forEach(function (el) {
        var rule = el.dataset.when.split("=");
        var chosen = document.querySelector("input[name='" + rule[0] + "']:checked");
        el.hidden = !chosen || chosen.value !== rule[1];
      });
    }
    document.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  });
})();
