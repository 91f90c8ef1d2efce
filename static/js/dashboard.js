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

// Long tables (the Themes panel's): the rows marked data-more wait behind their "Show all" button. Without
// JavaScript every row shows.
(function () {
  document.querySelectorAll("[data-more-toggle]").forEach(function (button) {
    const rows = button.parentElement.querySelectorAll("[data-more]");
    const label = button.dataset.label;
    function show(open) {
      rows.forEach(function (row) { row.hidden = !open; });
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? "Show fewer" : label;
    }
    button.hidden = false;
    show(false);
    button.addEventListener("click", function () { show(button.getAttribute("aria-expanded") !== "true"); });
  });
})();
