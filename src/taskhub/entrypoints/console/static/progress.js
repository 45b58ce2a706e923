// A task's progress, live: the console's event stream (the API's), else polling its JSON.
// No inline script: everything this needs is in the panel's data- attributes.
(function () {
  "use strict";
  var panel = document.querySelector("[data-task]");
  if (!panel) { return; }
  var FINISHED = ["DONE", "FAILED", "CANCELLED"];
  var fieldOfCode = JSON.parse(panel.getAttribute("data-fields") || "{}");
  var finished = false;

  function text(selector, value) {
    var found = panel.querySelector(selector);
    if (found) { found.textContent = value; }
  }

  function finish(task) {
    finished = true;
    var result = task.result || {};
    var sentence = result.error || result.message || task.status;
    text("[data-sentence]", sentence);
    if (task.status === "DONE") {
      panel.querySelector("[data-done]").hidden = false;
    }
    var field = fieldOfCode[result.code];
    var beside = field && document.querySelector('[data-field-error="' + field + '"]');
    if (task.status === "FAILED" && beside) {
      beside.textContent = sentence;
      beside.closest(".field").classList.add("invalid");
      var input = document.getElementById(field);
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    }
  }

  function show(task) {
    if (finished) { return; }
    panel.className = "task " + task.status.toLowerCase();
    panel.setAttribute("data-status", task.status);
    text("[data-status-text]", task.status);
    panel.querySelector("[data-progress]").value = task.progress;
    text("[data-progress-text]", task.progress + "%");
    if (FINISHED.indexOf(task.status) !== -1) { finish(task); }
    else { text("[data-sentence]", task.status.charAt(0) + task.status.slice(1).toLowerCase() + "…"); }
  }

  function poll(delay) {
    window.setTimeout(function () {
      fetch(panel.getAttribute("data-poll"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.redirected) { window.location.assign(response.url); return null; }
          return response.ok ? response.json() : null;
        })
        .then(function (task) {
          if (task) { show(task); }
          if (!finished) { poll(1000); }
        })
        .catch(function () { poll(2000); });
    }, delay);
  }

  function follow() {
    if (!window.EventSource) { poll(0); return; }
    var source = new EventSource(panel.getAttribute("data-events"));
    source.addEventListener("task", function (event) { show(JSON.parse(event.data)); });
    source.addEventListener("end", function () { source.close(); });
    source.onerror = function () {
      // CLOSED: refused (503 too many streams, 401, 404) or told to stop: poll instead.
      if (source.readyState === EventSource.CLOSED && !finished) { poll(0); }
    };
  }

  if (FINISHED.indexOf(panel.getAttribute("data-status")) === -1) { follow(); }
}());
