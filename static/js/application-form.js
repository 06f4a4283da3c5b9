// Shows and hides conditional questions of the application form as answers change.
// The server applies the same rule when it validates; this only keeps the page tidy.
(function () {
  "use strict";

  function selectedValues(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") {
        if (input.checked) values.push(input.value);
      } else if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.selectedOptions, function (o) { values.push(o.value); });
      } else if (input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function isShown(form, block, depth) {
    depth = depth || 0;
    if (depth > 50) return false;  // a cycle of conditions: the server shows none of them either
    var parentName = block.getAttribute("data-depends-on");
    if (!parentName) return true;
    var parentBlock = form.querySelector('[data-question="' + parentName + '"]');
    if (parentBlock && !isShown(form, parentBlock, depth + 1)) return false;
    var wanted = (block.getAttribute("data-show-when") || "").split("|");
    return selectedValues(form, parentName).some(function (v) { return wanted.indexOf(v) !== -1; });
  }

  function refresh(form) {
    form.querySelectorAll("[data-depends-on]").forEach(function (block) {
      var shown = isShown(form, block);
      block.hidden = !shown;
      block.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }

  function wordCounters(form) {
    form.querySelectorAll("textarea[data-word-limit]").forEach(function (area) {
      var counter = document.getElementById(area.id + "-words");
      if (!counter) return;
      var limit = parseInt(area.getAttribute("data-word-limit"), 10);
      var update = function () {
        var words = area.value.trim() ? area.value.trim().split(/\s+/).length : 0;
        counter.textContent = words + " / " + limit;
        counter.classList.toggle("text-danger", words > limit);
      };
      area.addEventListener("input", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("application-form");
    if (!form) return;
    form.addEventListener("change", function () { refresh(form); });
    refresh(form);
    wordCounters(form);
  });
})();
