// Decision form: fill the message with the chosen reason's default text unless the reviewer wrote their own.
(function () {
  "use strict";
  var data = document.getElementById("reason-defaults");
  var reason = document.getElementById("id_reason_code");
  var message = document.getElementById("id_message");
  if (!data || !reason || !message) { return; }
  var defaults = JSON.parse(data.textContent);
  var filled = "";
  reason.addEventListener("change", function () {
    if (message.value === "" || message.value === filled) {
      message.value = filled = defaults[reason.value] || "";
    }
  });
})();
