// A long job (pay run, recipient import) runs in a Celery task; this bar follows it through
// the JSON at data-url and reloads the page once the status is no longer data-running.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("progress");
    if (!box) return;
    var bar = document.getElementById("progress-bar");
    var text = document.getElementById("progress-text");
    var running = box.dataset.running;
    var tries = 0;
    function poll() {
      tries += 1;
      fetch(box.dataset.url, { headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          bar.value = state.percent;
          text.textContent = state.done + " of " + state.total;
          if (state.status !== running) { window.location.reload(); return; }
          if (tries < 600) setTimeout(poll, 1000);
        })
        .catch(function () { if (tries < 600) setTimeout(poll, 3000); });
    }
    setTimeout(poll, 500);
  });
})();
