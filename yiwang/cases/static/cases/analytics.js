/* Case analytics charts: drawn with the vendored Chart.js from the JSON the page embeds (json_script), no inline
   script (the CSP allows scripts from our origin only). Every chart's figures are also in a table on the page, so
   a chart that cannot be drawn (no JavaScript, no canvas) loses nothing: its figure simply stays hidden. */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var Chart = window.Chart;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // Colour-blind-safe (Okabe-Ito); lines also differ by dash and point shape, so colour never carries a series alone.
  var colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
  var dashes = [[], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [10, 5], [4, 4]];
  var points = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "cross"];

  function data(name) {
    var element = document.getElementById(name + "-data");
    return element ? JSON.parse(element.textContent) : null;
  }

  function base(stacked) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : { duration: 300 },
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true } } },
      scales: {
        x: { stacked: stacked, ticks: { autoSkip: true, maxRotation: 0 } },
        y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
      },
    };
  }

  function draw(name, kind, stacked) {
    var figure = document.querySelector('figure[data-chart="' + name + '"]');
    var chart = data(name);
    if (!figure || !chart || !chart.series.length || !chart.labels.length) {
      return;
    }
    figure.hidden = false;
    var datasets = chart.series.map(function (series, index) {
      var colour = colours[index % colours.length];
      return {
        label: series.name,
        data: series.counts,
        borderColor: colour,
        backgroundColor: colour,
        borderDash: kind === "line" ? dashes[index % dashes.length] : [],
        pointStyle: points[index % points.length],
        pointRadius: kind === "line" && chart.labels.length <= 45 ? 3 : 0,
        borderWidth: 2,
        tension: 0,
      };
    });
    new Chart(figure.querySelector("canvas"), {
      type: kind,
      data: { labels: chart.labels, datasets: datasets },
      options: base(stacked),
    });
  }

  draw("topics", "bar", false);
  draw("trend_channels", "line", false);
  draw("trend_types", "bar", true);
})();
