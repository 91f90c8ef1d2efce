// A visible "PNG" button above every drawn chart: saves the chart as an image (plotly's camera, one click).
(function () {
  document.querySelectorAll("[data-figure]").forEach(function (chart, index) {
    if (!window.Plotly) return;
    const name = chart.getAttribute("aria-label") || "Chart";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "outline secondary png-button";
    button.textContent = "PNG";
    button.setAttribute("aria-label", "Download as PNG: " + name);
    button.addEventListener("click", function () {
      const slug = (chart.dataset.figure || "chart-" + index).replace(/-fig$/, "");
      window.Plotly.downloadImage(chart, {
        format: "png",
        filename: "nps-" + slug,
        width: Math.max(chart.clientWidth, 600),
        height: Math.max(chart.clientHeight, 300),
      });
    });
    const bar = document.createElement("div");
    bar.className = "png-bar";
    bar.appendChild(button);
    chart.parentNode.insertBefore(bar, chart);
  });
})();
