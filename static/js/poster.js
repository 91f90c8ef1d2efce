// Poster page: the Print button (without this script it stays hidden: the browser's own Print works).
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
