// Draws the score distribution on the review dashboard from the JSON in #score-data.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var canvas = document.getElementById("score-chart");
  var source = document.getElementById("score-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.counts, backgroundColor: "#0b5ed7" }] },
    options: {
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
});
