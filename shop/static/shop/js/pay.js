// Card payment. Each attempt: the server opens a SetupIntent; Stripe.js collects the card
// into it (confirmCardSetup); our server attaches that card to the order's PaymentIntent
// and confirms it; 3-D Secure is finished with confirmCardPayment. The order is marked
// paid only by the server, from Stripe's webhook: this page just moves on to wait for it.
(function () {
  var PAID_OR_ON_ITS_WAY = ["succeeded", "processing", "requires_capture"];

  function postJSON(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "The payment service did not answer. Please try again.");
        return data;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("payment-form");
    if (!form || typeof Stripe === "undefined") return;
    var stripe = Stripe(form.dataset.publishableKey);
    var card = stripe.elements().create("card");
    card.mount("#card-element");
    var button = document.getElementById("pay-button");
    var errorBox = document.getElementById("payment-error");
    var csrf = form.dataset.csrf;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      errorBox.textContent = "";
      postJSON(form.dataset.setupUrl, csrf)
        .then(function (setup) {
          return stripe.confirmCardSetup(setup.client_secret, { payment_method: { card: card } });
        })
        .then(function (result) {
          if (result.error) throw new Error(result.error.message || "Your card was declined.");
          return postJSON(form.dataset.confirmUrl, csrf, { payment_method: result.setupIntent.payment_method });
        })
        .then(function (body) {
          if (body.status !== "requires_action") return body;
          return stripe.confirmCardPayment(body.client_secret).then(function (result) {
            if (result.error) throw new Error(result.error.message || "Card authentication failed.");
            if (PAID_OR_ON_ITS_WAY.indexOf(result.paymentIntent.status) === -1) {
              throw new Error("Card authentication failed. Please try again or use another card.");
            }
            return body;
          });
        })
        .then(function (body) { window.location.assign(body.next); })
        .catch(function (error) {
          errorBox.textContent = error.message || "The payment did not go through. Please try again.";
          button.disabled = false;
        });
    });
  });
})();
