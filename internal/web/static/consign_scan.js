// Lifeline: the handover screen answers a scan without reloading the page.
// The form works without this script: it posts and the page comes back.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-scan]");
  if (!form || !window.fetch) { return; }
  var input = document.getElementById("tracking");
  var damaged = document.getElementById("damaged");
  var result = document.getElementById("scan-result");
  var busy = false;
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (busy) { return; }
    busy = true;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) { return res.json(); })
      .then(function (d) {
        result.textContent = d.message;
        result.className = "scan-result " + (d.ok ? "ok" : "bad");
        if (d.counts) {
          ["expected", "scanned", "missing", "extra", "damaged"].forEach(function (k) {
            var el = document.getElementById("count-" + k);
            if (el) { el.textContent = d.counts[k]; }
          });
        }
      })
      .catch(function () { form.submit(); })
      .then(function () {
        busy = false;
        input.value = "";
        if (damaged) { damaged.checked = false; }
        input.focus();
      });
  });
});
