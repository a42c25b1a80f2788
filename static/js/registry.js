/* While typing an EP's NPI: whose it is in the NPI registry, or a warning (not found, deactivated, an
 * organization, another name). Progressive enhancement only: the page says the same after saving without
 * JavaScript, nothing here blocks typing or saving, and without a registry nothing is shown.
 *
 * Each EP row (.ep-row) holds a polite live region with data-registry-url (the lookup URL for NPI 0000000000).
 * Rows added by "Add another EP" are handled too: events are listened for on the document.
 */
(function () {
  "use strict";

  var DELAY_MS = 350;
  var PLACEHOLDER = "0000000000";
  var timers = new WeakMap();
  var pending = new WeakMap();

  function rowOf(input) { return input.closest(".ep-row"); }
  function regionOf(row) { return row.querySelector("[data-registry-url]"); }
  function fieldOf(row, name) { return row.querySelector("input[name$='-" + name + "']"); }

  // The NPI field is described by the finding under it, so a screen reader reads both together.
  function describe(row) {
    var npi = fieldOf(row, "npi");
    var region = regionOf(row);
    if (!npi || !region) { return; }
    var ids = (npi.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (ids.indexOf(region.id) === -1) {
      ids.push(region.id);
      npi.setAttribute("aria-describedby", ids.join(" "));
    }
  }

  // The same markup as templates/exemptions/_registry_finding.html; text only, never HTML from the answer.
  function show(region, data) {
    var paragraph = null;
    if (data && data.warning && data.message) {
      paragraph = document.createElement("p");
      paragraph.className = "registry-finding small mb-0 text-warning-emphasis";
      var label = document.createElement("strong");
      label.textContent = "Registry warning:";
      paragraph.appendChild(label);
      paragraph.appendChild(document.createTextNode(" " + data.message));
    } else if (data && (data.who || (!data.finding && data.message))) {
      paragraph = document.createElement("p");
      paragraph.className = "registry-finding small mb-0 text-body-secondary";
      paragraph.textContent = data.who ? "NPI registry: " + data.who : data.message;
    }
    var now = paragraph ? paragraph.outerHTML : "";
    if (region.innerHTML.trim() === now) { return; }  // unchanged: nothing new to announce
    region.textContent = "";
    if (paragraph) { region.appendChild(paragraph); }
  }

  function check(row) {
    var region = regionOf(row);
    var npi = fieldOf(row, "npi");
    var name = fieldOf(row, "name");
    if (!region || !npi) { return; }
    var previous = pending.get(row);
    if (previous) { previous.abort(); }  // a stale answer must never overwrite a newer one
    var value = npi.value.trim();
    if (!/^\d{10}$/.test(value)) { show(region, null); return; }
    var controller = new AbortController();
    pending.set(row, controller);
    var url = region.getAttribute("data-registry-url").replace(PLACEHOLDER, value) +
      "?name=" + encodeURIComponent(name ? name.value.trim() : "");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: controller.signal })
      .then(function (response) { return response.ok || response.status === 429 ? response.json() : null; })
      .then(function (data) { if (!controller.signal.aborted) { show(region, data); } })
      .catch(function () { /* aborted, offline or signed out: say nothing; saving still checks */ });
  }

  function later(row) {
    clearTimeout(timers.get(row));
    timers.set(row, setTimeout(function () { check(row); }, DELAY_MS));
  }

  function onInput(event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement)) { return; }
    var isNpi = /-npi$/.test(input.name);
    if (!isNpi && !/-name$/.test(input.name)) { return; }
    var row = rowOf(input);
    if (!row || !regionOf(row)) { return; }
    describe(row);
    var npi = fieldOf(row, "npi");
    if (isNpi && !/^\d{10}$/.test(npi.value.trim())) {
      check(row);  // incomplete: clear the old finding at once
    } else if (/^\d{10}$/.test(npi.value.trim())) {
      later(row);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".ep-row").forEach(describe);
    document.addEventListener("input", onInput);
  });
})();
