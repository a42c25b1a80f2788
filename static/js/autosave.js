/* Autosave of a request's draft: every 60 seconds when something changed, and when the person leaves the page.
 *
 * The form carries data-autosave-url; its fields (files aside: those go with Continue) are posted with the page's
 * CSRF token to that URL, which saves whatever is well formed and answers in JSON. The result is written into the
 * #autosave-status live region ("All changes saved at 3:41 p.m. ET"), which screen readers announce politely.
 *
 * Leaving with unsaved changes (a reload, a link, closing the tab) sends them in a beacon, and also keeps a copy
 * in this tab's sessionStorage until a save succeeds: the beacon and the next page's request may reach the server
 * in either order, so a reloaded page puts the copy back into the form and saves it at once.
 * Without JavaScript nothing here runs: every button of the form saves anyway.
 */
(function () {
  "use strict";

  var INTERVAL = 60 * 1000;
  var MAX_COPY_AGE = 10 * 60 * 1000;
  var RETRY = 5 * 1000;
  var form = document.querySelector("form[data-autosave-url]");
  var status = document.getElementById("autosave-status");
  if (!form || !status || !window.fetch) { return; }
  var url = form.getAttribute("data-autosave-url");
  var step = form.querySelector("[name=step]");
  var key = "autosave:" + url + ":" + (step ? step.value : "");
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

  function snapshot() {
    var pairs = [];
    fields().forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") { pairs.push([name, value]); }
    });
    return pairs;
  }

  function keepCopy() {
    var copy = snapshot();
    try { sessionStorage.setItem(key, JSON.stringify({ at: Date.now(), fields: copy })); } catch (e) { /* storage full or disabled */ }
  }

  function dropCopy() {
    try { sessionStorage.removeItem(key); } catch (e) { /* storage disabled */ }
  }

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
        if (body.saved && !dirty) { dropCopy(); }
        if (!body.saved) { dirty = response.status !== 409; }
        say(body.message);
      });
    }).catch(function () {
      dirty = true;
      say("Your latest changes are not saved yet. Trying again; they are also saved when you continue.");
      setTimeout(save, RETRY); // a dropped connection or a busy server: soon, not a minute later
    }).then(function () { saving = false; });
  }

  // The copy left by a reload or a crash: back into the form (adding the EP rows it had), then saved.
  function restore() {
    var kept;
    try { kept = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    // An old copy could hide a change made since in another tab: only a recent one comes back.
    if (!kept || !kept.fields || Date.now() - kept.at > MAX_COPY_AGE) { dropCopy(); return; }
    var copy = kept.fields;
    if (JSON.stringify(snapshot()) === JSON.stringify(copy)) { dropCopy(); return; } // the beacon saved it
    var values = {};
    copy.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    var total = form.querySelector("[name$='-TOTAL_FORMS']");
    var add = form.querySelector("[data-formset-add]");
    if (total && add && values[total.name]) {
      var wanted = parseInt(values[total.name][0], 10);
      for (var i = parseInt(total.value, 10); i < Math.min(wanted, 2500); i += 1) { add.click(); }
    }
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "file" || input.type === "hidden" || input.type === "submit") { return; }
      var given = values[input.name] || [];
      if (input.type === "checkbox" || input.type === "radio") {
        input.checked = given.indexOf(input.value) !== -1;
      } else if (given.length) {
        input.value = given[0];
      }
    });
    dirty = true;
    say("What you typed before the page reloaded is back. Saving it now.");
    save();
  }

  function changed() { dirty = true; }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { submitting = true; dropCopy(); }); // the POST saves everything
  setInterval(save, INTERVAL);
  document.addEventListener("DOMContentLoaded", restore); // after portal.js has set up "Add another EP"

  // Switching to another app on a phone may be the last chance to save before the tab is discarded.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(); }
  });

  // Leaving the step by a link, a reload or closing the tab: a beacon survives the page going away.
  window.addEventListener("pagehide", function () {
    if (dirty && !submitting) {
      keepCopy();
      if (navigator.sendBeacon) { navigator.sendBeacon(url, fields()); } // the form's own CSRF field goes along
      dirty = false;
    }
  });
})();
