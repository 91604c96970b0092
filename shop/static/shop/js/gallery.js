// The product page's gallery (shop/includes/product_content.html). Without this script the
// picture and its thumbnails are plain links to the widest picture. With it a thumbnail shows
// its picture in place (aria-current marks it), and the picture opens a zoom dialog: Zoom in
// shows it at full size in a frame that scrolls with the arrow keys or follows the pointer,
// Previous/Next (and the left and right arrow keys) step through the pictures, Escape or
// Close shuts it and gives focus back to the picture.
(function () {
  function setPicture(container, data, sizes) {
    var img = container.querySelector("img");
    var source = container.querySelector("source[type='image/webp']");
    if (data.webpSrcset) {
      if (!source) {
        source = document.createElement("source");
        source.type = "image/webp";
        container.querySelector("picture").insertBefore(source, img);
      }
      source.srcset = data.webpSrcset;
      source.sizes = sizes;
    } else if (source) {
      source.remove();
    }
    if (data.srcset) { img.srcset = data.srcset; img.sizes = sizes; } else { img.removeAttribute("srcset"); }
    img.src = data.src;
    img.alt = data.alt;
    if (data.width && data.width !== "0") { img.width = data.width; img.height = data.height; }
  }

  function setUp(gallery) {
    var main = gallery.querySelector("[data-gallery-main]");
    if (!main) return;
    var sizes = (main.querySelector("img").getAttribute("sizes")) || "100vw";
    var thumbs = Array.prototype.slice.call(gallery.querySelectorAll(".gallery-thumb"));
    var dialog = gallery.querySelector(".zoom-dialog");
    var frame = dialog && dialog.querySelector(".zoom-frame");
    var zoomImg = dialog && dialog.querySelector(".zoom-img");
    var caption = dialog && dialog.querySelector(".zoom-caption");
    var toggle = dialog && dialog.querySelector("[data-zoom-toggle]");
    var current = 0;
    var canZoom = !!(dialog && typeof dialog.showModal === "function");

    function item(index) {
      if (!thumbs.length) {
        var img = main.querySelector("img");
        return { alt: img.alt, zoom: main.getAttribute("href") };
      }
      return thumbs[index].dataset;
    }

    function show(index) {
      current = (index + thumbs.length) % thumbs.length;
      var data = thumbs[current].dataset;
      setPicture(main, data, sizes);
      main.href = data.zoom;
      thumbs.forEach(function (thumb, i) {
        if (i === current) thumb.setAttribute("aria-current", "true"); else thumb.removeAttribute("aria-current");
      });
    }

    function zoomed(on) {
      frame.classList.toggle("zoomed", on);
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? "Zoom out" : "Zoom in";
      if (on) {  // start in the middle of the picture
        frame.scrollLeft = (frame.scrollWidth - frame.clientWidth) / 2;
        frame.scrollTop = (frame.scrollHeight - frame.clientHeight) / 2;
      }
    }

    function fillDialog() {
      var data = item(current);
      zoomImg.src = data.zoom;
      zoomImg.alt = data.alt;
      caption.textContent = data.alt;
    }

    thumbs.forEach(function (thumb, i) {
      thumb.addEventListener("click", function (event) {
        event.preventDefault();
        show(i);
      });
    });

    if (!canZoom) return;  // no <dialog>: the picture stays a link to the large file
    main.addEventListener("click", function (event) {
      event.preventDefault();
      fillDialog();
      zoomed(false);
      dialog.showModal();
      toggle.focus();
    });
    toggle.addEventListener("click", function () { zoomed(!frame.classList.contains("zoomed")); });
    zoomImg.addEventListener("click", function () { zoomed(!frame.classList.contains("zoomed")); });
    frame.addEventListener("pointermove", function (event) {
      if (!frame.classList.contains("zoomed") || event.pointerType === "touch") return;
      var box = frame.getBoundingClientRect();
      frame.scrollLeft = (event.clientX - box.left) / box.width * (frame.scrollWidth - frame.clientWidth);
      frame.scrollTop = (event.clientY - box.top) / box.height * (frame.scrollHeight - frame.clientHeight);
    });
    Array.prototype.forEach.call(dialog.querySelectorAll("[data-zoom-step]"), function (button) {
      button.addEventListener("click", function () {
        show(current + Number(button.dataset.zoomStep));
        fillDialog();
      });
    });
    dialog.addEventListener("keydown", function (event) {
      if (!thumbs.length || frame.classList.contains("zoomed")) return;  // zoomed: the arrows scroll the frame
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        show(current + (event.key === "ArrowRight" ? 1 : -1));
        fillDialog();
      }
    });
    dialog.querySelector("[data-zoom-close]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();  // a click on the backdrop
    });
    dialog.addEventListener("close", function () { main.focus(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-gallery]"), setUp);
  });
})();
