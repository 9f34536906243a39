// Lifeline: small progressive enhancements; every page works without them.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Show the facility field of the status form only for event types that
  // name a facility (the select lists them in data-facility-types).
  var type = document.querySelector("select[data-facility-types]");
  var field = document.getElementById("facility-field");
  if (type && field) {
    var needs = type.getAttribute("data-facility-types").split(" ");
    var sync = function () { field.hidden = needs.indexOf(type.value) < 0; };
    type.addEventListener("change", sync);
    sync();
  }
});
