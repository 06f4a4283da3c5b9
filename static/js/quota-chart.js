// Draws the composition of a selection run against its quotas from the JSON in #quota-data.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var canvas = document.getElementById("quota-chart");
  var source = document.getElementById("quota-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var values = data.counts.concat(data.mins, data.maxes).filter(function (v) {
    return typeof v === "number";
  });
  var largest = values.length ? Math.max.apply(null, values) : 0;
  // A scale of at least 0–5 with some room to the right: one quota of one person must not
  // stretch a bar across the whole width of an axis from 0 to 1.
  var top = Math.max(5, Math.ceil(largest * 1.1));
  // The bars set the height (a row per quota), whatever the width: readable on a phone too.
  // Set through the CSS object model, which the content security policy allows.
  canvas.parentNode.style.height = 90 + 48 * data.labels.length + "px";
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.selected, data: data.counts, backgroundColor: "#0b5ed7" },
        { label: data.minimum, data: data.mins, backgroundColor: "#198754" },
        { label: data.maximum, data: data.maxes, backgroundColor: "#dc3545" },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: "y",
      scales: {
        x: { beginAtZero: true, suggestedMax: top, ticks: { precision: 0, maxTicksLimit: 11 } },
        y: { ticks: { autoSkip: false } },
      },
    },
  });
});
