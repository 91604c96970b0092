// The check-in kiosk (payroll/views/kiosk.py). Without JavaScript every form still posts.
// With it: names filter as the volunteer types; a tap or a code is sent in the background;
// while the network is down, taps are queued in localStorage and sent once it is back (the
// server ignores a replay, so a queue sent twice changes nothing); where the browser has a
// BarcodeDetector, the camera reads the QR code of a check-in pass (no library, no CDN).
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-kiosk]");
    if (!root) return;
    var checkUrl = root.dataset.checkUrl, syncUrl = root.dataset.syncUrl;
    var queueKey = "mended-kiosk-queue-" + root.dataset.kioskId;
    var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
    var token = tokenInput ? tokenInput.value : "";
    var messages = document.getElementById("kiosk-messages");
    var offline = document.getElementById("kiosk-offline");
    var queuedCount = document.getElementById("kiosk-queued");
    var syncing = false;

    function say(text, kind) {
      messages.textContent = "";
      var item = document.createElement("li");
      item.className = "message message-" + (kind || "success");
      item.textContent = text;
      messages.appendChild(item);
      clearTimeout(say.timer);
      say.timer = setTimeout(function () { messages.textContent = ""; }, 10000);
    }

    function readQueue() {
      try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
    }
    function writeQueue(queue) {
      localStorage.setItem(queueKey, JSON.stringify(queue));
      queuedCount.textContent = String(queue.length);
      offline.hidden = queue.length === 0;
    }

    function rowFor(signupId) {
      return signupId ? root.querySelector('.kiosk-row[data-signup="' + signupId + '"]') : null;
    }
    function signupOfCode(code) {
      var match = /^\s*(\d+)-/.exec(code || "");
      return match ? match[1] : null;
    }
    function show(signupId, state, waiting) {
      var row = rowFor(signupId);
      if (!row) return;
      row.dataset.state = state;
      row.querySelector("button[value=check-in]").hidden = state !== "waiting";
      row.querySelector("button[value=check-out]").hidden = state !== "in";
      var cell = row.querySelector(".kiosk-state");
      cell.textContent = state === "in" ? "Here since " : state === "out" ? "Checked out" : "Not yet";
      if (state === "in") {
        var when = document.createElement("time");
        when.textContent = new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
        cell.appendChild(when);
      }
      if (waiting) cell.appendChild(document.createTextNode(" · saved on this tablet"));
    }

    function post(item) {
      var body = new FormData();
      body.append("action", item.action);
      if (item.signup) body.append("signup", item.signup);
      if (item.code) body.append("code", item.code);
      return fetch(checkUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": token },
      });
    }

    function send(item) {
      if (!navigator.onLine) { queue(item); return; }
      post(item).then(function (response) {
        if (response.status >= 500 || response.redirected) throw new Error("server");
        return response.json().then(function (answer) {
          if (!answer.ok) { say(answer.message, "error"); return; }
          show(answer.signup, answer.state, false);
          say(answer.message, answer.changed ? "success" : "info");
        });
      }).catch(function () { queue(item); });
    }

    function queue(item) {
      var list = readQueue();
      list.push(item);
      writeQueue(list);
      show(item.signup || signupOfCode(item.code), item.action === "check-in" ? "in" : "out", true);
      messages.textContent = "";  // the offline notice and the row say it
    }

    function sync() {
      var list = readQueue();
      if (!list.length || syncing || !navigator.onLine) return;
      syncing = true;
      fetch(syncUrl, {
        method: "POST", credentials: "same-origin", body: JSON.stringify({ queued: list }),
        headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": token },
      }).then(function (response) {
        if (!response.ok) throw new Error("sync");
        return response.json();
      }).then(function (answer) {
        var sent = {};
        answer.results.forEach(function (result) {
          sent[result.id] = true;
          if (result.ok) show(result.signup, result.state, false);
          else say(result.message, "error");
        });
        writeQueue(readQueue().filter(function (item) { return !sent[item.id]; }));
      }).catch(function () { /* still offline: try again later */ }).then(function () { syncing = false; });
    }

    function item(action, signup, code) {
      var id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
      return { id: id, action: action, signup: signup ? Number(signup) : null, code: code || "", at: Date.now() };
    }

    root.querySelectorAll("form.kiosk-tap").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var action = event.submitter ? event.submitter.value : "check-in";
        send(item(action, form.querySelector("input[name=signup]").value, ""));
      });
    });

    var codeForm = document.getElementById("kiosk-code-form");
    var codeInput = document.getElementById("kiosk-code");
    codeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var code = codeInput.value.trim().toUpperCase();
      if (!code) { codeInput.focus(); return; }
      var action = event.submitter && event.submitter.value === "check-out" ? "check-out" : "check-in";
      codeInput.value = "";
      send(item(action, null, code));
    });

    // Names filter as the volunteer types (the search button works without script).
    var filter = document.querySelector("[data-kiosk-filter]");
    var rows = document.querySelectorAll("#kiosk-list .kiosk-row");
    if (filter) {
      filter.addEventListener("input", function () {
        var needle = filter.value.trim().toLowerCase();
        rows.forEach(function (row) { row.hidden = needle !== "" && row.dataset.name.indexOf(needle) === -1; });
      });
    }

    // The camera: a scanned pass checks in (or out, for someone already here).
    var scan = document.getElementById("kiosk-scan");
    var camera = document.getElementById("kiosk-camera");
    var video = document.getElementById("kiosk-video");
    if ("BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      scan.hidden = false;
      var detector = null, stream = null;
      var stop = function () {
        if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
        stream = null;
        camera.hidden = true;
        scan.textContent = "Scan with the camera";
      };
      var look = function () {
        if (!stream) return;
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            var code = codes[0].rawValue.trim().toUpperCase();
            stop();
            var row = rowFor(signupOfCode(code));
            send(item(row && row.dataset.state === "in" ? "check-out" : "check-in", null, code));
          } else {
            setTimeout(look, 300);
          }
        }).catch(function () { setTimeout(look, 500); });
      };
      scan.addEventListener("click", function () {
        if (stream) { stop(); return; }
        try { detector = detector || new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { scan.hidden = true; return; }
        navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
          stream = s;
          video.srcObject = s;
          camera.hidden = false;
          scan.textContent = "Stop the camera";
          video.play().catch(function () { /* frames come as they come */ });
          look();
        }).catch(function () { say("The camera is not available: type the code instead.", "error"); });
      });
    }

    writeQueue(readQueue());
    window.addEventListener("online", sync);
    setInterval(sync, 15000);
    sync();
  });
})();
