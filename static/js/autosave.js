/* Autosave of a request's draft: every 60 seconds when something changed, and when the person leaves the page.
 *
 * The form carries data-autosave-url; its fields (files aside: those go with Continue) are posted with the page's
 * CSRF token to that URL, which saves whatever is well formed and answers in JSON. The result is written into the
 * #autosave-status live region ("All changes saved at 3:41 p.m. ET"), which screen readers announce politely.
 * Without JavaScript nothing here runs: every button of the form saves anyway.
 */
(function () {
  "use strict";

  var INTERVAL = 60 * 1000;
  var form = document.querySelector("form[data-autosave-url]");
  var status = document.getElementById("autosave-status");
  if (!form || !status || !window.fetch) { return; }
  var url = form.getAttribute("data-autosave-url");
  var dirty = false;
  var saving = false;
  var submitting = false;

  function fields() {
    var data = new FormData(form);
    data.delete("action");
    data.delete("documents"); // an upload is checked and stored by Continue, not in the background
    return data;
  }

  function say(text) { status.textContent = text; }

  function save() {
    if (!dirty || saving || submitting) { return; }
    saving = true;
    dirty = false; // a change typed while this save runs marks the form again
    fetch(url, {
      method: "POST",
      body: fields(),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) { throw new Error("signed out"); }
      return response.json().then(function (body) {
        if (!body.saved) { dirty = response.status !== 409; }
        say(body.message);
      });
    }).catch(function () {
      dirty = true;
      say("Your latest changes are not saved yet: check your connection. They will be saved when you continue.");
    }).then(function () { saving = false; });
  }

  function changed() { dirty = true; }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { submitting = true; }); // the form's own POST saves everything
  setInterval(save, INTERVAL);

  // Switching to another app on a phone may be the last chance to save before the tab is discarded.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(); }
  });

  // Leaving the step by a link, the back button or closing the tab: a beacon survives the page going away.
  window.addEventListener("pagehide", function () {
    if (dirty && !submitting && navigator.sendBeacon) {
      navigator.sendBeacon(url, fields()); // the form's csrfmiddlewaretoken field carries the token
      dirty = false;
    }
  });
})();
