// Draws the composition of a selection run against its quotas from the JSON in #quota-data.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var canvas = document.getElementById("quota-chart");
  var source = document.getElementById("quota-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
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
    options: { animation: false, indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
});
