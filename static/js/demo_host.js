// The demo host page (nps/demo/onsite.py): the widget's callbacks shown in a status line, "Forget me",
// and an app-like navigation whose links change the route with history.pushState, as a single-page app.
(function () {
  "use strict";
  var status = document.getElementById("widget-status");
  function say(text) { if (status) status.textContent = "Widget: " + text; }

  window.demoHost = {
    // The call's options plus the page's nonce and callbacks that report what the widget does.
    options: function (call, nonce) {
      call.nonce = nonce;
      call.onShow = function () { say("the survey is shown."); };
      call.onRespond = function (answer) {
        say("answered" + (answer && answer.score != null ? " " + answer.score : "") + ": it is in the campaign's dashboard.");
      };
      call.onClose = function () { say("closed."); };
      setTimeout(function () {
        if (status && status.textContent.indexOf("asking") !== -1) say("not shown: the server decided not to ask (the console says why).");
      }, 15000);
      return call;
    },
  };

  var reset = document.getElementById("reset-button");
  if (reset) reset.addEventListener("click", function () {
    var api = window.opennps && window.opennps.loaded ? window.opennps : null;
    if (api) api("reset");
    else if (window.delighted && window.delighted.reset) window.delighted.reset();
    say("forgotten: this browser's anonymous id is gone. Reload to be asked as someone new.");
  });

  var title = document.getElementById("route-title");
  document.querySelectorAll("[data-route]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      history.pushState({}, "", link.getAttribute("href"));
      document.querySelectorAll("[data-route]").forEach(function (other) { other.removeAttribute("aria-current"); });
      link.setAttribute("aria-current", "page");
      if (title) title.textContent = link.textContent;
      say("route changed: a survey still waiting to appear is cancelled.");
    });
  });
})();
