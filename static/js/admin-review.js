// Staff review screens. Progressive: every form works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A reason's default text replaces the message unless the reviewer wrote their own.
  function followReason(scope, defaults) {
    var reason = scope.querySelector("select[name$='reason_code']");
    var message = scope.querySelector("textarea[name$='message']");
    if (!reason || !message) { return; }
    var filled = message.value;
    reason.addEventListener("change", function () {
      if (message.value === "" || message.value === filled) {
        message.value = filled = defaults[reason.value] || "";
        message.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  // The access keys listed on the screen, also where the browser does not act on `accesskey` itself (Alt+letter
  // here; the browser's own Alt+Shift+letter or Control+Option+letter keep working).
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.key.length !== 1) { return; }
    var target = document.querySelector("[accesskey='" + event.key.toLowerCase() + "']");
    if (!target) { return; }
    event.preventDefault();
    if (target.type === "radio") { target.focus(); }
    target.click();
  });

  // The full-page decision form (and the bulk one): defaults given as JSON on the page.
  var data = document.getElementById("reason-defaults");
  if (data) {
    var form = data.closest("form") || document;
    followReason(form, JSON.parse(data.textContent));
  }

  // The review screen's panel: one decision's fields at a time, the EP's email previewed in place.
  var panel = document.querySelector("form.decision-panel");
  if (!panel) { return; }
  var panelDefaults = JSON.parse(document.getElementById("panel-reason-defaults").textContent);
  var radios = panel.querySelectorAll("input[name='decision']");
  var sets = panel.querySelectorAll("fieldset.decision-fields");
  var preview = panel.querySelector(".decision-preview");
  var timer = null;
  var asked = 0;

  function chosen() {
    var checked = panel.querySelector("input[name='decision']:checked");
    return checked ? checked.value : "";
  }

  function show() {
    var decision = chosen();
    sets.forEach(function (set) {
      var on = set.getAttribute("data-decision") === decision;
      set.hidden = !on;
      set.disabled = !on; // a disabled fieldset is not sent: the server reads the chosen decision only
    });
    refresh();
  }

  function put(name, text) {
    var node = preview.querySelector("[data-preview='" + name + "']");
    if (node) { node.textContent = text; }
  }

  function refresh() {
    var mine = ++asked;
    fetch(panel.getAttribute("data-preview-url"), {
      method: "POST", body: new FormData(panel), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) { return response.json(); }).then(function (answer) {
      if (mine !== asked) { return; } // a later edit asked again
      var error = preview.querySelector("[data-preview='error']");
      preview.hidden = false;
      if (answer.ok) {
        put("to", answer.to.join(", "));
        put("subject", answer.subject);
        put("body", answer.body);
        put("ep_status", answer.ep_status);
        error.hidden = true;
      } else {
        error.textContent = answer.error;
        error.hidden = false;
      }
    }).catch(function () { /* the preview is a help: deciding still works */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 350);
  }

  sets.forEach(function (set) {
    followReason(set, panelDefaults[set.getAttribute("data-decision")] || {});
    set.addEventListener("input", later);
    set.addEventListener("change", later);
  });
  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  // Every minute while the page is in view: a reassignment or another change is told before Decide is pressed.
  window.setInterval(function () {
    if (document.visibilityState === "visible") { refresh(); }
  }, 60000);

  // One decision per press: a second submit (double click, key and click) would only be refused by the server.
  var sent = false;
  panel.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); }
    sent = true;
  });
  show();
})();
