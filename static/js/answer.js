// Answer page: records the score the customer chose in the email (a scanner that only fetches the link
// never runs this), and saves a changed score at once. The page works without it: Send posts everything.
(function () {
  "use strict";
  var form = document.getElementById("answer");
  if (!form || !window.fetch) return;
  var status = document.getElementById("status");
  var followup = document.getElementById("followup");
  // A comment written with another score: say so once the customer picks a score other than that one.
  var note = document.getElementById("comment-note");

  function groupOf(score) {
    return score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor";
  }

  function save(score, source) {
    var body = new FormData();
    body.append("score", score);
    body.append("source", source);
    fetch(form.action, { method: "POST", body: body, credentials: "omit" })
      .then(function (response) {
        status.textContent = response.ok ? status.dataset.saved : status.dataset.failed;
      })
      .catch(function () {
        status.textContent = status.dataset.failed;
      });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name !== "score") return;
    var score = parseInt(event.target.value, 10);
    followup.textContent = followup.dataset[groupOf(score)];
    // The saved comment now waits in the box, not on the answer: it stays visible until Send.
    if (note && String(score) !== note.dataset.score) note.hidden = false;
    save(score, "page");
  });

  var chosen = form.querySelector("input[name=score]:checked");
  if (chosen && form.hasAttribute("data-autosave")) save(chosen.value, "link");
})();
