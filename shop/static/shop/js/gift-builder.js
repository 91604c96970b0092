// The gift builder's live preview: colours, monogram, card message and logo are redrawn in
// the SVG as they are chosen, before anything is saved. The message counter counts down.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    // The item cards: the search box filters them as you type (the server filters ?q= without JS).
    var search = document.querySelector("[data-filter-cards]");
    if (search) {
      var holder = document.getElementById(search.dataset.filterCards);
      search.addEventListener("input", function () {
        var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
        var any = false;
        holder.querySelectorAll(".card-group").forEach(function (group) {
          var shown = 0;
          group.querySelectorAll("[data-search]").forEach(function (card) {
            var text = card.dataset.search;
            card.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
            if (!card.hidden) shown += 1;
          });
          group.hidden = shown === 0;
          any = any || shown > 0;
        });
        var none = document.getElementById("item-none");
        if (none) none.hidden = any;
      });
    }
    var preview = document.getElementById("box-preview");
    if (!preview) return;
    var palette = JSON.parse(document.getElementById("palette").textContent);
    function on(id, events, fn) {
      var el = document.getElementById(id);
      if (!el) return;
      events.split(" ").forEach(function (e) { el.addEventListener(e, function () { fn(el); }); });
      fn(el);
    }
    on("id_ribbon", "change", function (el) {
      var hex = palette[el.value] || "#7a2e3a";
      preview.querySelectorAll(".preview-ribbon").forEach(function (r) { r.setAttribute("fill", hex); });
    });
    on("id_tissue", "change", function (el) {
      document.getElementById("preview-tissue").setAttribute("fill", palette[el.value] || "#efe8dc");
    });
    on("id_initials", "input", function (el) {
      document.getElementById("preview-initials").textContent = el.value.replace(/[^A-Za-z]/g, "").slice(0, 3).toUpperCase();
    });
    on("id_message", "input", function (el) {
      var text = el.value;
      document.getElementById("preview-message").textContent = text.length > 60 ? text.slice(0, 59) + "…" : text;
      var counter = document.getElementById("message-count");
      if (counter) counter.textContent = text.length + " of 300 characters";
    });
    on("id_logo", "change", function (el) {
      if (!el.files || !el.files[0]) return;
      document.getElementById("preview-logo").setAttribute("href", URL.createObjectURL(el.files[0]));
      document.getElementById("preview-logo-hint").textContent = "";
    });
    // The order form: show the recipient list or the bulk address, whichever applies.
    var modes = document.querySelectorAll("input[name=shipping]");
    function showMode() {
      var bulk = document.querySelector("input[name=shipping]:checked");
      bulk = bulk && bulk.value === "bulk";
      document.querySelectorAll("[data-shipping]").forEach(function (el) {
        el.hidden = (el.dataset.shipping === "bulk") !== bulk;
      });
    }
    modes.forEach(function (m) { m.addEventListener("change", showMode); });
    if (modes.length) showMode();
  });
})();
