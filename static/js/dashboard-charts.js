// Draws the dashboard's charts: each <canvas data-dashboard-chart="ID"> reads its data from the
// JSON in the element with that id (json_script): {type, horizontal, stacked, unit, labels,
// datasets: [{label, values, links}]}. A value of null is a figure withheld from the viewer: no
// bar is drawn for it. Selecting a bar that has a link opens the list behind it.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var colours = ["#0b5ed7", "#198754", "#d63384", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#dc3545", "#0dcaf0", "#ffc107"];
  document.querySelectorAll("canvas[data-dashboard-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-dashboard-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var narrow = canvas.parentNode.clientWidth < 576;
    var valueAxis = {
      beginAtZero: true,
      stacked: data.stacked,
      ticks: {
        callback: function (value) { return data.unit === "%" ? value + " %" : value; },
      },
    };
    if (data.unit === "%" && data.stacked) valueAxis.max = 100;
    var labelAxis = { stacked: data.stacked, ticks: { autoSkip: false } };
    var scales = data.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis };
    var linked = data.datasets.some(function (set) { return set.links.some(Boolean); });
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, index) {
          return { label: set.label, data: set.values, backgroundColor: colours[index % colours.length] };
        }),
      },
      options: {
        animation: false,
        indexAxis: data.horizontal ? "y" : "x",
        // Taller than wide on a phone, so that every label stays readable at 360 px.
        aspectRatio: narrow ? (data.horizontal ? 0.8 : 1) : 2.2,
        plugins: {
          legend: { display: data.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = item.raw;
                if (typeof value === "number" && data.unit === "%") value = value.toFixed(1) + " %";
                return item.dataset.label + ": " + value;
              },
            },
          },
        },
        scales: scales,
        onHover: function (event, elements) {
          event.native.target.style.cursor = linked && elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (!elements.length) return;
          var element = elements[0];
          var link = data.datasets[element.datasetIndex].links[element.index];
          if (link) window.location.assign(link);
        },
      },
    });
  });
});
