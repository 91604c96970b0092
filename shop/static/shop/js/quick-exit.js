// Quick exit: leave for a neutral page without leaving this site in the back history.
// Click the button, or press Escape twice within a second.
(function () {
  function leave(url) {
    document.body.innerHTML = "";
    window.location.replace(url);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("quick-exit");
    if (!button) return;
    var url = button.getAttribute("data-exit-url");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      leave(url);
    });
    var lastEscape = 0;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var now = Date.now();
      if (now - lastEscape < 1000) leave(url);
      lastEscape = now;
    });
  });
})();
