// The header's menu on narrow screens: a disclosure button that shows and hides the main
// navigation. Without this script the navigation simply stays open (it wraps), so the
// links are always reachable; with it the header takes one short row on a phone.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector(".site-header");
    var button = document.getElementById("menu-toggle");
    if (!header || !button) return;
    header.classList.add("menu-ready");
    button.addEventListener("click", function () {
      var open = header.classList.toggle("menu-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
})();
