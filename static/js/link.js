// Public link page: the follow-up question waits for a score, then asks what fits the score's group.
// Without this script the page is a plain form: scores, the generic follow-up, the comment, Send.
(function () {
  "use strict";
  var form = document.getElementById("link-answer");
  if (!form) return;
  var block = document.getElementById("followup-block");
  var followup = document.getElementById("followup");

  function groupOf(score) {
    return score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor";
  }

  function show(score) {
    var text = followup.dataset[groupOf(score)];
    if (text) followup.textContent = text;
    block.removeAttribute("data-waiting");
  }

  var chosen = form.querySelector("input[name=score]:checked");
  if (chosen) show(parseInt(chosen.value, 10));
  else if (!form.querySelector(".errors")) block.setAttribute("data-waiting", "");

  form.addEventListener("change", function (event) {
    if (event.target.name === "score") show(parseInt(event.target.value, 10));
  });
})();
