// Copy buttons: <button data-copy="element-id" hidden> copies the text (or a field's value) of the element
// with that id. Without this script the buttons stay hidden and the text can still be selected by hand.
(function () {
  function textOf(element) {
    return "value" in element ? element.value : element.textContent.trim();
  }

  function select(element) {
    if ("select" in element) {
      element.select();
      return;
    }
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyBySelecting(element) {
    select(element);
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    const element = document.getElementById(button.dataset.copy);
    // A page may load this script twice (two panels that each include it): bind each button once.
    if (!element || button.dataset.copyBound) return;
    button.dataset.copyBound = "1";
    const label = button.textContent;
    const status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    button.after(status);
    button.hidden = false;
    button.addEventListener("click", function () {
      // The asynchronous clipboard exists only on https and localhost; elsewhere select and copy.
      const copied = navigator.clipboard
        ? navigator.clipboard.writeText(textOf(element)).catch(function () { return copyBySelecting(element); })
        : copyBySelecting(element);
      copied.then(
        function () {
          button.textContent = "Copied";
          status.textContent = "Copied to the clipboard";
        },
        function () {
          select(element);
          status.textContent = "Selected: press Ctrl+C to copy";
        }
      ).finally(function () {
        setTimeout(function () { button.textContent = label; status.textContent = ""; }, 2000);
      });
    });
  });
})();
