// The kiosk (templates/responses/kiosk.html): a counter tablet's survey, for one customer after another.
// Screens: the score, the follow-up (Send / Skip, with a countdown back to the start), the thank-you.
// Every answer gets a random key and goes into a queue in localStorage FIRST, then is sent; it leaves the
// queue only when the server confirms it (201 stored, 200 stored before), or refuses it for good (a 4xx
// of ours other than 429: logged on screen, so one bad answer never blocks the others). The server stores
// an answer once per key, so an answer sent twice (the network dropped after it arrived) counts once.
(function () {
  "use strict";
  var dataNode = document.getElementById("kiosk-data");
  if (!dataNode || !window.fetch) return;
  var data = JSON.parse(dataNode.textContent);
  var idleMs = data.idle * 1000;
  var thanksMs = Math.min(5, data.idle) * 1000;
  var language = data.start;
  var current = "score";
  var shownAt = Date.now();
  var lastTouch = Date.now();
  var chosen = null;

  var screens = {
    score: document.getElementById("screen-score"),
    followup: document.getElementById("screen-followup"),
    thanks: document.getElementById("screen-thanks"),
  };
  var select = document.getElementById("language");
  var followup = document.getElementById("followup");
  var comment = document.getElementById("comment");
  var chosenScore = document.getElementById("chosen-score");
  var countdown = document.getElementById("countdown");
  var countdownBar = document.getElementById("countdown-bar");
  var pending = document.getElementById("pending");
  var log = document.getElementById("log");

  function texts() {
    return data.texts[language] || data.texts[data.start];
  }

  function groupOf(score) {
    return score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor";
  }

  // "%(count)s answers waiting": the category of `count` in this language (Unicode's plural rules), whose
  // text the server took from our catalogues.
  function plural(forms, count) {
    var category = "other";
    try {
      category = new Intl.PluralRules(language.replace("-hans", "-Hans")).select(count);
    } catch (error) {
      category = count === 1 ? "one" : "other";
    }
    return (forms[category] || forms.other).replace("%(count)s", String(count));
  }

  // The queue, in localStorage when the browser allows it (else in memory: lost with the page).
  var storage = null;
  try {
    window.localStorage.setItem(data.storage + ":probe", "1");
    window.localStorage.removeItem(data.storage + ":probe");
    storage = window.localStorage;
  } catch (error) {
    storage = null;
  }
  var memoryQueue = [];

  function readQueue() {
    if (!storage) return memoryQueue.slice();
    try {
      var queue = JSON.parse(storage.getItem(data.storage) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (error) {
      return [];
    }
  }

  function writeQueue(queue) {
    if (storage) storage.setItem(data.storage, JSON.stringify(queue));
    else memoryQueue = queue.slice();
    showPending();
  }

  function removeFromQueue(key) {
    writeQueue(readQueue().filter(function (item) { return item.key !== key; }));
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    // randomUUID needs a secure context (https); a tablet on http://192.168… has getRandomValues only.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function showPending() {
    var count = readQueue().length;
    // While the first try is on its way the count is not news (no flash of "1 waiting" when online).
    pending.hidden = count === 0 || (flushing && !failing);
    pending.textContent = count ? plural(texts().pending, count) : "";
  }

  function logDropped(item, reason) {
    var line = document.createElement("li");
    line.textContent = texts().dropped + " " + item.score + (reason ? " (" + reason + ")" : "");
    log.appendChild(line);
    while (log.children.length > 3) log.removeChild(log.firstChild);
    setTimeout(function () { if (line.parentNode) line.parentNode.removeChild(line); }, 60000);
  }

  // Sending: one answer at a time, oldest first; after a failure, again later (2 s, 4 s … 1 min), at
  // once when the browser says it is back online.
  var flushing = false;
  var failing = false;
  var retryTimer = null;
  var backoff = 2000;

  function retryLater(ms) {
    flushing = false;
    failing = true;
    showPending();
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, ms || backoff);
    backoff = Math.min(backoff * 2, 60000);
  }

  function sent(item) {
    flushing = false;
    failing = false;
    removeFromQueue(item.key);
    backoff = 2000;
    flush();
  }

  function flush() {
    if (flushing) return;
    var queue = readQueue();
    if (!queue.length) return showPending();
    flushing = true;
    showPending();
    clearTimeout(retryTimer);
    var item = queue[0];
    fetch(data.post, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(item),
      credentials: "omit",
      cache: "no-store",
      redirect: "error", // a Wi-Fi login page redirecting us has not stored anything
    })
      .then(function (response) {
        return response.json().then(
          function (body) { return { status: response.status, body: body || {}, headers: response.headers }; },
          function () { return { status: response.status, body: null, headers: response.headers }; }
        );
      })
      .then(function (reply) {
        // Only our server's JSON counts: anything else (a proxy's page) is a failure to try again.
        if ((reply.status === 200 || reply.status === 201) && reply.body && reply.body.key === item.key) {
          sent(item);
        } else if (reply.status === 429) {
          var wait = parseInt(reply.headers.get("Retry-After"), 10);
          retryLater(wait > 0 ? wait * 1000 : backoff);
        } else if (reply.status >= 400 && reply.status < 500 && reply.body && reply.body.error) {
          logDropped(item, reply.body.error);
          sent(item);
        } else {
          retryLater();
        }
      })
      .catch(function () { retryLater(); });
  }

  function enqueue(score, answeredAt, text) {
    var queue = readQueue();
    queue.push({ key: newKey(), score: score, comment: text, answered_at: answeredAt, language: language });
    writeQueue(queue);
    flush();
  }

  // Screens and texts.
  function show(name) {
    Object.keys(screens).forEach(function (key) { screens[key].hidden = key !== name; });
    current = name;
    shownAt = Date.now();
    lastTouch = Date.now();
    updateCountdown();
  }

  function setLanguage(code) {
    if (!data.texts[code]) return;
    language = code;
    var t = texts();
    document.documentElement.lang = code;
    document.documentElement.dir = t.dir;
    select.value = code;
    select.setAttribute("aria-label", t.language);
    document.querySelectorAll("[data-text]").forEach(function (element) {
      element.textContent = t[element.dataset.text];
    });
    if (chosen) followup.textContent = t.followup[groupOf(chosen.score)];
    showPending();
    updateCountdown();
  }

  function updateCountdown() {
    if (current !== "followup") return;
    var left = Math.max(0, idleMs - (Date.now() - lastTouch));
    countdown.textContent = plural(texts().countdown, Math.ceil(left / 1000));
    countdownBar.style.transform = "scaleX(" + (left / idleMs).toFixed(3) + ")";
  }

  function finish(text, thank) {
    if (chosen) enqueue(chosen.score, chosen.answeredAt, text);
    chosen = null;
    comment.value = "";
    show(thank ? "thanks" : "score");
  }

  function reset() {
    chosen = null;
    comment.value = "";
    if (language !== data.start) setLanguage(data.start);
    show("score");
  }

  screens.score.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-score]");
    if (!button) return;
    var score = parseInt(button.dataset.score, 10);
    chosen = { score: score, answeredAt: new Date().toISOString() };
    followup.textContent = texts().followup[groupOf(score)];
    chosenScore.textContent = String(score);
    chosenScore.className = groupOf(score);
    comment.value = "";
    show("followup");
  });

  document.getElementById("followup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    finish(comment.value.trim(), true);
  });
  document.getElementById("skip").addEventListener("click", function () { finish("", true); });
  screens.thanks.addEventListener("click", reset);
  select.addEventListener("change", function () { setLanguage(select.value); });

  ["pointerdown", "keydown", "input", "touchstart"].forEach(function (type) {
    document.addEventListener(type, function () { lastTouch = Date.now(); updateCountdown(); }, { capture: true, passive: true });
  });

  // Idle: the follow-up gives up after kiosk_idle_seconds without a touch (the score is kept, the unsent
  // comment is not), the thank-you after a few seconds; the next customer starts in the default language.
  setInterval(function () {
    var idle = Date.now() - lastTouch;
    if (current === "followup") {
      updateCountdown();
      if (idle >= idleMs) {
        finish("", false);
        reset();
      }
    } else if (current === "thanks") {
      if (Date.now() - shownAt >= thanksMs) reset();
    } else if (language !== data.start && idle >= idleMs) {
      setLanguage(data.start);
    }
  }, 250);

  // The page itself opens offline after one visit (https or localhost only: browsers allow no worker else).
  if (window.isSecureContext && navigator.serviceWorker && data.worker) {
    navigator.serviceWorker.register(data.worker).catch(function () {});
  }
  window.addEventListener("online", function () { backoff = 2000; flush(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) flush(); });
  window.addEventListener("storage", function (event) { if (event.key === data.storage) showPending(); });
  flush();
})();
