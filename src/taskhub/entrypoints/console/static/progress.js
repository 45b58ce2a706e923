// Tasks' progress, live: the console's event stream (the API's), else polling its JSON.
// No inline script: everything this needs is in data- attributes.
//   [data-task]       a form's task panel: its sentence, and a failure beside the field it names;
//   [data-live-task]  a task's row in the tasks table, or a task's page ([data-reload]: reload
//                     it once the task has finished, so the server shows its result).
// At most STREAMS elements follow a stream at once: a browser opens about six connections to a
// site, and a server keeps only a few threads for streams. The others poll, as every element
// does once its stream is refused (503 at the server's bound, 401, 404). Polling waits while the
// tab is hidden, backs off (to LONGEST_MS) while the server fails, and stops for a task that is
// gone (404: purged); a session that expired reloads the page, whose sign-in comes back to it.
(function () {
  "use strict";
  var FINISHED = ["DONE", "FAILED", "CANCELLED"];
  var STREAMS = 2;
  var POLL_MS = 1000;
  var LONGEST_MS = 30000;
  var streams = 0;
  // A form being sent (cancel, retry) leads to the page that answers it: a reload for the
  // task's end must not overtake it, nor take its message away.
  var leaving = false;
  document.addEventListener("submit", function () { leaving = true; });

  function finished(status) { return FINISHED.indexOf(status) !== -1; }

  function text(element, selector, value) {
    var found = element.querySelector(selector);
    if (found) { found.textContent = value; }
  }

  // Show each state of element's task with show(task), until it is finished.
  function follow(element, show) {
    var over = false;
    function seen(task) {
      if (over) { return; }
      show(task);
      over = finished(task.status);
    }
    function poll(delay) {
      window.setTimeout(function () {
        if (document.hidden) { poll(POLL_MS); return; }
        fetch(element.getAttribute("data-poll"), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            if (response.redirected) { window.location.reload(); over = true; return null; }
            if (response.status === 404 || response.status === 410) { over = true; return null; }
            if (!response.ok) { throw new Error(String(response.status)); }
            return response.json();
          })
          .then(function (task) {
            if (task) { seen(task); }
            if (!over) { poll(POLL_MS); }
          })
          .catch(function () { poll(Math.min(2 * Math.max(delay, POLL_MS), LONGEST_MS)); });
      }, delay);
    }
    if (!window.EventSource || streams >= STREAMS) { poll(0); return; }
    streams += 1;
    var source = new EventSource(element.getAttribute("data-events"));
    var released = false;
    function release() { if (!released) { released = true; streams -= 1; } }
    source.addEventListener("task", function (event) { seen(JSON.parse(event.data)); });
    source.addEventListener("end", function () { source.close(); release(); });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {
        release();
        if (!over) { poll(0); }
      }
    };
  }

  // Status and progress, wherever the element shows them.
  function showState(element, task) {
    element.setAttribute("data-status", task.status);
    var status = element.querySelector("[data-status-text]");
    if (status) {
      status.textContent = task.status;
      status.className = "status " + task.status.toLowerCase();
    }
    var bar = element.querySelector("[data-progress]");
    if (bar) { bar.value = task.progress; }
    text(element, "[data-progress-text]", task.progress + "%");
  }

  function followPanel(panel) {
    var fieldOfCode = JSON.parse(panel.getAttribute("data-fields") || "{}");
    follow(panel, function (task) {
      panel.className = "task " + task.status.toLowerCase();
      showState(panel, task);
      if (!finished(task.status)) {
        text(panel, "[data-sentence]", task.status.charAt(0) + task.status.slice(1).toLowerCase() + "…");
        return;
      }
      var result = task.result || {};
      var sentence = result.error || result.message || task.status;
      text(panel, "[data-sentence]", sentence);
      if (task.status === "DONE") { panel.querySelector("[data-done]").hidden = false; }
      var field = fieldOfCode[result.code];
      var beside = field && document.querySelector('[data-field-error="' + field + '"]');
      if (task.status === "FAILED" && beside) {
        beside.textContent = sentence;
        beside.closest(".field").classList.add("invalid");
        var input = document.getElementById(field);
        if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
      }
    });
  }

  function followLive(element) {
    follow(element, function (task) {
      showState(element, task);
      if (finished(task.status) && element.hasAttribute("data-reload") && !leaving) {
        window.location.reload();
      }
    });
  }

  function live(element) { return !finished(element.getAttribute("data-status")); }
  Array.prototype.filter.call(document.querySelectorAll("[data-task]"), live).forEach(followPanel);
  Array.prototype.filter.call(document.querySelectorAll("[data-live-task]"), live).forEach(followLive);
}());
