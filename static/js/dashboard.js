// Draws every figure whose JSON the server embedded with json_script.
(function () {
  // No floating toolbar: on a phone it covers the chart. Saving an image is the PNG button (chart_png.js).
  const config = { responsive: true, displaylogo: false, displayModeBar: false };
  const NARROW = 520; // px: below this a chart gets smaller type, so that its legend fits in a row or two under it
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    const source = document.getElementById(el.dataset.figure);
    if (!source || !window.Plotly) return;
    const figure = JSON.parse(JSON.parse(source.textContent));
    const layout = figure.layout;
    if (el.clientWidth < NARROW) {
      layout.font = Object.assign({}, layout.font, { size: 11 });
      if (layout.legend) layout.legend = Object.assign({}, layout.legend, { font: { size: 11 }, itemwidth: 30 });
    }
    window.Plotly.newPlot(el, figure.data, layout, config);
  });
})();
