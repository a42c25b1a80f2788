/* Session-timeout warning (WCAG 2.2.1 Timing Adjustable).
 *
 * The server signs a user out after 30 minutes without a request and 12 hours after signing in
 * (portal/middleware.py). Two minutes before that, this opens a modal alertdialog with one action,
 * "Stay signed in". If nobody answers, an open draft is saved first and then the session is ended, so
 * nothing typed is lost. Another tab's activity is respected: the server is asked before acting.
 */
(function () {
  "use strict";

  var body = document.body;
  var dialog = document.getElementById("session-timeout");
  if (!dialog || !body.hasAttribute("data-session-idle-remaining") || typeof dialog.showModal !== "function") {
    return;
  }
  var keepaliveUrl = body.getAttribute("data-session-keepalive-url");
  var expiredUrl = body.getAttribute("data-session-expired-url");
  var warnBefore = parseInt(body.getAttribute("data-session-warn-before"), 10) * 1000;
  var stayButton = dialog.querySelector("[data-session-stay]");
  var countdown = dialog.querySelector("[data-session-countdown]");
  var deadline = 0;
  var absoluteBinding = false;
  var warnTimer = null;
  var tickTimer = null;
  var returnFocus = null;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function draftForm() {
    var button = document.querySelector("form button[name=action][value=save]");
    return button ? button.form : null;
  }

  function schedule(idleRemaining, absoluteRemaining) {
    absoluteBinding = absoluteRemaining <= idleRemaining;
    deadline = Date.now() + Math.min(idleRemaining, absoluteRemaining) * 1000;
    clearTimeout(warnTimer);
    warnTimer = setTimeout(checkThenWarn, Math.max(0, deadline - warnBefore - Date.now()));
  }

  function serverRemaining(method) {
    return fetch(keepaliveUrl, {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) { return response.ok ? response.json() : { signed_in: false }; });
  }

  // Another tab may have kept the session alive: ask (without counting as activity) before warning.
  function checkThenWarn() {
    serverRemaining("GET").then(function (state) {
      if (!state.signed_in) { return expire(); }
      var left = Math.min(state.idle_remaining, state.absolute_remaining) * 1000;
      if (left > warnBefore + 5000) { return schedule(state.idle_remaining, state.absolute_remaining); }
      deadline = Date.now() + left;
      absoluteBinding = state.absolute_remaining <= state.idle_remaining;
      openDialog();
    }).catch(openDialog);
  }

  function formatLeft(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    if (minutes && rest) { return minutes + " min " + rest + " s"; }
    if (minutes) { return minutes + (minutes === 1 ? " minute" : " minutes"); }
    return rest + " seconds";
  }

  function tick() {
    var left = deadline - Date.now();
    countdown.textContent = formatLeft(left);
    if (left <= 5000) { expire(); }
  }

  function openDialog() {
    if (dialog.open) { return; }
    dialog.querySelector("[data-session-idle-text]").hidden = absoluteBinding;
    dialog.querySelector("[data-session-absolute-text]").hidden = !absoluteBinding;
    dialog.querySelector("[data-session-draft-text]").hidden = !draftForm();
    stayButton.textContent = absoluteBinding ? "OK" : "Stay signed in";
    returnFocus = document.activeElement;
    tick();
    dialog.showModal();
    stayButton.focus();
    tickTimer = setInterval(tick, 1000);
  }

  function closeDialog() {
    clearInterval(tickTimer);
    if (dialog.open) { dialog.close(); }
    if (returnFocus && typeof returnFocus.focus === "function") { returnFocus.focus(); }
  }

  function stay() {
    if (absoluteBinding) { return closeDialog(); } // nothing can extend past 12 h; the draft is saved at the end
    serverRemaining("POST").then(function (state) {
      if (!state.signed_in) { return expire(); }
      closeDialog();
      schedule(state.idle_remaining, state.absolute_remaining);
    }).catch(closeDialog);
  }

  var expiring = false;
  function expire() {
    if (expiring) { return; }
    expiring = true;
    clearInterval(tickTimer);
    clearTimeout(warnTimer);
    var form = draftForm();
    var saving = Promise.resolve(false);
    if (form) {
      var data = new FormData(form);
      data.set("action", "save");
      // getAttribute: form.action would be the form's own button named "action", not its URL.
      var target = form.getAttribute("action") || window.location.href;
      saving = fetch(target, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.ok; })
        .catch(function () { return false; });
    }
    saving.then(function (saved) {
      var signOut = document.createElement("form");
      signOut.method = "post";
      signOut.action = expiredUrl + "?" + new URLSearchParams({
        saved: saved ? "1" : "0",
        next: window.location.pathname
      }).toString();
      var token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrfmiddlewaretoken";
      token.value = csrfToken();
      signOut.appendChild(token);
      document.body.appendChild(signOut);
      signOut.submit();
    });
  }

  stayButton.addEventListener("click", stay);
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); stay(); }); // Esc: the user is here

  schedule(
    parseInt(body.getAttribute("data-session-idle-remaining"), 10),
    parseInt(body.getAttribute("data-session-absolute-remaining"), 10)
  );
})();
