/* Portal behavior: progressive enhancement only; every form works without JavaScript. */
(function () {
  "use strict";

  // Character counters for textareas with data-max-chars.
  function initCounters() {
    document.querySelectorAll("textarea[data-max-chars]").forEach(function (area) {
      var max = parseInt(area.getAttribute("data-max-chars"), 10);
      var counter = document.getElementById(area.id + "-counter");
      if (!counter) { return; }
      function update() {
        var left = max - area.value.length;
        counter.textContent = left >= 0 ? left + " characters left" : (-left) + " characters over the limit";
      }
      area.addEventListener("input", update);
      update();
    });
  }

  // "Add another EP": clone the empty formset template and bump TOTAL_FORMS.
  function initFormsets() {
    document.querySelectorAll("[data-formset]").forEach(function (container) {
      var prefix = container.getAttribute("data-formset");
      var button = document.querySelector("[data-formset-add='" + prefix + "']");
      var template = document.getElementById(prefix + "-empty");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      if (!button || !template || !total) { return; }
      // Without JavaScript the button posts the form (the server saves and shows one more row); here it only adds
      // the row in the page, and nothing typed is sent or lost.
      button.type = "button";
      button.hidden = false;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var index = parseInt(total.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, index).replace(/__number__/g, index + 1);
        container.insertAdjacentHTML("beforeend", html);
        total.value = index + 1;
        var shown = document.querySelectorAll("[data-formset-shows='" + prefix + "']");
        shown.forEach(function (element) { element.hidden = false; });
        container.dispatchEvent(new Event("input", { bubbles: true })); // a new row is a change to save
        var first = container.lastElementChild.querySelector("input");
        if (first) { first.focus(); }
      });
    });
  }

  // A box that matters for one choice only (the import's "replace" confirmation): shown when that choice is made.
  // Without JavaScript it is always shown.
  function initRevealWhenChosen() {
    document.querySelectorAll("[data-reveal-name]").forEach(function (box) {
      var name = box.getAttribute("data-reveal-name");
      var value = box.getAttribute("data-reveal-value");
      var radios = document.querySelectorAll("input[name='" + name + "']");
      function update() {
        var chosen = document.querySelector("input[name='" + name + "']:checked");
        box.hidden = !chosen || chosen.value !== value;
      }
      radios.forEach(function (radio) { radio.addEventListener("change", update); });
      update();
    });
  }

  // Block a second click while a form posts (the server is idempotent anyway).
  function initSubmitOnce() {
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitting === "true") { event.preventDefault(); return; }
        form.dataset.submitting = "true";
      });
    });
  }

  // Move focus to the error summary so screen readers announce it.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  // Deadlines: add the same instant in the browser's own zone ("8:59:59 p.m. in Pacific Time") when it is not ET.
  function initLocalDeadlines() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || zone === "America/New_York") { return; }
    document.querySelectorAll("[data-deadline]").forEach(function (box) {
      var target = box.querySelector("[data-local-time]");
      var when = new Date(box.getAttribute("data-deadline"));
      if (!target || isNaN(when.getTime())) { return; }
      var clock = new Intl.DateTimeFormat("en-US", {hour: "numeric", minute: "2-digit", second: "2-digit", hour12: true})
        .format(when).replace("AM", "a.m.").replace("PM", "p.m.");
      var name = new Intl.DateTimeFormat("en-US", {timeZoneName: "longGeneric"}).formatToParts(when)
        .filter(function (part) { return part.type === "timeZoneName"; }).map(function (part) { return part.value; })[0];
      var day = new Intl.DateTimeFormat("en-US", {weekday: "long", month: "long", day: "numeric"}).format(when);
      target.textContent = " (" + clock + " " + day + (name ? " in " + name : "") + ")";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initLocalDeadlines();
    initCounters();
    initFormsets();
    initRevealWhenChosen();
    initSubmitOnce();
    focusErrorSummary();
  });
})();
