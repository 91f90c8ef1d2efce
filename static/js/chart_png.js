// A visible "PNG" button above every drawn chart: saves the chart as an image (one click). The image carries
// what the screen shows around the chart: the panel's title, and the period and filters (data-png-context
// on the page), so a chart pasted into a slide still says what it counts.
(function () {
  const WRAP = 90; // characters per line of the filters under the title

  function escapeText(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // "Last 90 days · Support NPS · Email · …" over as many lines as it needs, broken between filters.
  function contextLines(text) {
    const lines = [];
    text.split(" · ").forEach(function (part) {
      const last = lines.length - 1;
      if (last >= 0 && (lines[last] + " · " + part).length <= WRAP) lines[last] += " · " + part;
      else lines.push(part);
    });
    return lines;
  }

  function exportFigure(chart, title) {
    const holder = document.querySelector("[data-png-context]");
    const lines = holder && holder.dataset.pngContext ? contextLines(holder.dataset.pngContext) : [];
    const band = 44 + 18 * lines.length; // room above the plot for the title and the filters
    const margin = Object.assign({ l: 48, r: 16, t: 16, b: 40 }, chart.layout.margin);
    const width = Math.max(chart.clientWidth, 800);
    const height = Math.max(chart.clientHeight, 300) + band;
    const layout = Object.assign({}, chart.layout, {
      width: width,
      height: height,
      paper_bgcolor: "#ffffff",
      margin: Object.assign({}, margin, { t: margin.t + band }),
      title: {
        text: "<b>" + escapeText(title) + "</b>",
        x: 0.01,
        xanchor: "left",
        xref: "container",
        y: 1,
        yanchor: "top",
        yref: "container",
        pad: { t: 14, l: 4 },
        font: { size: 18, color: "#111827" },
        subtitle: { text: lines.map(escapeText).join("<br>"), font: { size: 13, color: "#4b5563" } },
      },
    });
    return { data: chart.data, layout: layout, width: width, height: height };
  }

  document.querySelectorAll("[data-figure]").forEach(function (chart, index) {
    if (!window.Plotly) return;
    const name = chart.getAttribute("aria-label") || "Chart";
    const panel = chart.closest("section");
    const heading = panel && panel.querySelector("h2");
    const title = heading ? heading.textContent.trim() : name;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "outline secondary png-button";
    button.textContent = "PNG";
    button.setAttribute("aria-label", "Download as PNG: " + name);
    button.addEventListener("click", function () {
      const slug = (chart.dataset.figure || "chart-" + index).replace(/-fig$/, "");
      const figure = exportFigure(chart, title);
      window.Plotly.toImage(
        { data: figure.data, layout: figure.layout },
        { format: "png", width: figure.width, height: figure.height },
      ).then(function (url) {
        const link = document.createElement("a");
        link.href = url;
        link.download = "nps-" + slug + ".png";
        document.body.appendChild(link);
        link.click();
        link.remove();
      });
    });
    const bar = document.createElement("div");
    bar.className = "png-bar";
    bar.appendChild(button);
    chart.parentNode.insertBefore(bar, chart);
  });
})();
