// Draws usage per day on the compute pages: each <canvas data-usage-chart="ID"> reads its data
// ({labels, values, label}) from the JSON in the element with that id (json_script).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas[data-usage-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-usage-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.values, backgroundColor: "#0b5ed7" }],
      },
      options: {
        animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { autoSkip: true, maxTicksLimit: 10 } }, y: { beginAtZero: true } },
      },
    });
  });
});
