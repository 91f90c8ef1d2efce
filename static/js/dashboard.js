// Draws every figure whose JSON the server embedded with json_script.
(function () {
  const config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    const source = document.getElementById(el.dataset.figure);
    if (!source || !window.Plotly) return;
    const figure = JSON.parse(JSON.parse(source.textContent));
    window.Plotly.newPlot(el, figure.data, figure.layout, config);
  });
})();
