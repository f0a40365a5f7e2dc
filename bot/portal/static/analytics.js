/* Draws the analytics page's charts with the vendored Chart.js (static/vendor/, see docs/portal.md).
   The figures and their labels come from the page's JSON block (#analytics-data), which no browser runs. */
(function () {
  "use strict";
  var COLOURS = ["#0b6e8a", "#e0a526", "#b42318", "#1f7a3f", "#6b4c9a"];
  var data = JSON.parse(document.getElementById("analytics-data").textContent);

  function bar(values, label, colour) {
    return {label: label, data: values, backgroundColor: colour, borderWidth: 0};
  }

  var specs = {
    funnel: function (d) {
      return {type: "bar", data: {labels: d.labels, datasets: [bar(d.values, d.series, COLOURS[0])]},
              options: {indexAxis: "y", plugins: {legend: {display: false}}}};
    },
    questions: function (d) {
      return {type: "bar", data: {labels: d.labels, datasets: d.series.map(function (series, index) {
                return bar(series.values, series.label, COLOURS[[3, 1, 2][index]]);
              })},
              options: {indexAxis: "y", scales: {x: {stacked: true}, y: {stacked: true}}}};
    },
    faq: function (d) {
      return {type: "bar", data: {labels: d.labels, datasets: [bar(d.values, d.series, COLOURS[4])]},
              options: {indexAxis: "y", plugins: {legend: {display: false}}}};
    },
    languages: function (d) {
      return {type: "bar", data: {labels: d.labels, datasets: [bar(d.values, d.series, COLOURS[2])]},
              options: {plugins: {legend: {display: false}},
                        scales: {y: {beginAtZero: true, ticks: {callback: function (v) { return v + " %"; }}}}}};
    }
  };

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var name = canvas.getAttribute("data-chart");
    var config = specs[name](data[name]);
    if (config.options.indexAxis === "y") {  // every step, question and topic named, none skipped
      config.options.scales = config.options.scales || {};
      config.options.scales.y = Object.assign({ticks: {autoSkip: false}}, config.options.scales.y);
    }
    config.options.animation = false;  // drawn at once: printing and screenshots see the whole chart
    config.options.maintainAspectRatio = false;
    new Chart(canvas, config);  // eslint-disable-line no-new
    canvas.setAttribute("data-drawn", "true");
  });
}());
