// Card payment: Stripe.js collects the card into a SetupIntent; our server charges it
// (attach + confirm the PaymentIntent); 3-D Secure is finished with confirmCardPayment.
// The order is marked paid only by the server, from Stripe's webhook.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("payment-form");
    if (!form || typeof Stripe === "undefined") return;
    var stripe = Stripe(form.dataset.publishableKey);
    var card = stripe.elements().create("card");
    card.mount("#card-element");
    var button = document.getElementById("pay-button");
    var errorBox = document.getElementById("payment-error");

    function fail(message) {
      errorBox.textContent = message || "The payment did not go through. Please try again.";
      button.disabled = false;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      errorBox.textContent = "";
      stripe.confirmCardSetup(form.dataset.setupSecret, { payment_method: { card: card } })
        .then(function (result) {
          if (result.error) throw new Error(result.error.message);
          return fetch(form.dataset.confirmUrl, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-CSRFToken": form.dataset.csrf },
            body: JSON.stringify({ payment_method: result.setupIntent.payment_method })
          });
        })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.error);
            return body;
          });
        })
        .then(function (body) {
          if (body.status === "requires_action") {
            return stripe.confirmCardPayment(body.client_secret).then(function (result) {
              if (result.error) throw new Error(result.error.message);
              return body;
            });
          }
          return body;
        })
        .then(function (body) { window.location.assign(body.next); })
        .catch(function (error) { fail(error.message); });
    });
  });
})();
