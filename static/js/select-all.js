// A header checkbox that ticks every row checkbox with the name in its data-select-all.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (master) {
    var name = master.getAttribute("data-select-all");
    var boxes = function () { return document.querySelectorAll('input[type="checkbox"][name="' + name + '"]'); };
    master.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = master.checked; });
    });
    boxes().forEach(function (box) {
      box.addEventListener("change", function () {
        var all = Array.prototype.every.call(boxes(), function (b) { return b.checked; });
        master.checked = all;
      });
    });
  });
});
