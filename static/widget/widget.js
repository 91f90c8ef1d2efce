/* OpenNPS on-site widget (docs/widget.md). Hand-written, no dependencies, no build step: this file is
 * what the host page loads, from /w/widget.js or /w/<site key>/delighted.js, gzipped or brotli-compressed
 * by the server (responses/widget_assets.py). Budget: at most 10 KB gzipped with its styles (make bench).
 *
 * The server decides who is asked (POST /w/api/<key>/survey) and sends every text in the visitor's
 * language, so this file holds no language strings. Bodies are JSON sent as text/plain: no preflight.
 * The card lives in a shadow root (host CSS and ours never meet), styled through a constructable
 * stylesheet (or a <style> carrying the `nonce` option), so a strict Content-Security-Policy needs only
 * our origin in script-src and connect-src. Nothing here throws into the host page. */
(() => {
  "use strict";
  const W = window;
  const D = document;
  if (W.opennps && W.opennps.loaded) return; // the snippet twice on a page: one widget

  const me =
    D.currentScript ||
    [...D.scripts].find((s) => /\/w\/(widget|[^/]+\/delighted)\.js([?#]|$)/.test(s.src));
  if (!me) return;
  const src = new URL(me.src, location.href);
  const delightedPath = src.pathname.match(/\/w\/([^/]+)\/delighted\.js$/);
  const siteKey = me.dataset.site || (delightedPath && decodeURIComponent(delightedPath[1]));
  // The API sits beside the script, wherever the server is mounted.
  const api = `${src.origin}${src.pathname.replace(/\/w\/[^]*$/, "")}/w/api/${encodeURIComponent(siteKey)}/`;
  const debug = me.hasAttribute("data-debug") || src.searchParams.has("debug");
  const warn = (...args) => debug && console.warn("opennps:", ...args);
  const ANON = "opennps.anonymousId";

  // ---- the API -----------------------------------------------------------------------------------
  // A string body goes as text/plain;charset=UTF-8 (a "simple" request); keepalive lets a dismissal
  // or a comment sent just before the visitor leaves arrive all the same.
  const post = async (path, body) => {
    const response = await fetch(api + path, {
      method: "POST",
      body: JSON.stringify(body),
      credentials: "omit",
      keepalive: true,
      mode: "cors",
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.status === 204 ? {} : response.json();
  };

  const call = (fn, arg) => {
    try {
      if (typeof fn === "function") fn(arg);
    } catch (error) {
      warn("callback failed", error);
    }
  };

  // ---- the anonymous visitor: a random id kept in this browser -------------------------------------
  let memoryId = "";
  const anonymousId = () => {
    let id = "";
    try {
      id = localStorage.getItem(ANON) || "";
    } catch (error) {} // storage refused (sandboxed frame, privacy mode): this page view only
    if (!/^[0-9a-f]{32}$/.test(id)) {
      const bytes = [...crypto.getRandomValues(new Uint8Array(16))];
      id = memoryId || bytes.map((b) => (b + 256).toString(16).slice(1)).join("");
      try {
        localStorage.setItem(ANON, id);
      } catch (error) {}
    }
    return (memoryId = id);
  };

  // ---- waiting, and single-page apps ---------------------------------------------------------------
  // minTimeOnPage counts from the page's start, or from the last route change of a single-page app.
  // A route change cancels a survey still waiting to appear; a shown card stays.
  let pageStart = 0;
  let timer = 0;
  let busy = false; // waiting, asking or showing: one survey at a time
  let epoch = 0; // reset() moves on: an answer from the server that arrives later is dropped
  let card = null;
  let lastHref = location.href;
  const routeChanged = () => {
    if (location.href === lastHref) return; // replaceState of the same address (routers do at start)
    lastHref = location.href;
    pageStart = performance.now();
    if (timer) {
      clearTimeout(timer);
      timer = 0;
      busy = false;
      warn("route changed: the waiting survey is cancelled");
    }
  };
  for (const name of ["pushState", "replaceState"]) {
    const original = history[name];
    history[name] = function (...args) {
      const result = original.apply(this, args);
      routeChanged();
      return result;
    };
  }
  W.addEventListener("popstate", routeChanged);
  W.addEventListener("hashchange", routeChanged);

  // A number, or a string of one ("30"): Delighted's snippets pass both.
  const number = (value) => {
    const n = typeof value === "string" && value.trim() ? Number(value) : value;
    return typeof n === "number" && isFinite(n) ? n : undefined;
  };

  const survey = (options) => {
    const o = options && typeof options === "object" ? options : {};
    if (!siteKey) return warn("no site key: add data-site to the script tag");
    if (busy) return warn("a survey is already waiting or shown");
    busy = true;
    const wait = (number(o.minTimeOnPage) || 0) * 1000 - (performance.now() - pageStart);
    timer = setTimeout(() => {
      timer = 0;
      ask(o).catch((error) => {
        busy = false;
        warn(error);
      });
    }, Math.max(0, wait));
  };

  const ask = async (o) => {
    const mine = epoch;
    const body = {};
    for (const key of ["email", "externalId", "name", "createdAt", "properties", "userHash"]) {
      if (o[key] != null) body[key] = o[key];
    }
    for (const key of ["initialDelay", "recurringPeriod", "sampleFactor"]) {
      if (number(o[key]) !== undefined) body[key] = number(o[key]);
    }
    if (o.forceDisplay) body.forceDisplay = true;
    if (body.email == null && body.externalId == null) body.anonymousId = anonymousId();
    const decision = await post("survey", body);
    if (mine !== epoch) return;
    if (!decision.survey) {
      busy = false;
      return warn("not asked:", decision.reason);
    }
    if (D.readyState === "loading") {
      await new Promise((done) => D.addEventListener("DOMContentLoaded", done));
    }
    if (mine === epoch) show(decision, o);
  };

  // ---- the card ------------------------------------------------------------------------------------
  // Sizes in px, never rem: a host page may set its root font size to anything.
  const CSS = `
:host{all:initial!important}
.c{all:initial;position:fixed;z-index:2147483600;bottom:20px;right:20px;box-sizing:border-box;
width:420px;max-width:calc(100vw - 40px);max-height:calc(var(--vh,100vh) - 40px);overflow:auto;
padding:20px;background:#fff;color:#1f2933;border-top:5px solid var(--a);border-radius:12px;
box-shadow:0 8px 30px rgb(0 0 0/.22);text-align:start;
font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;animation:in .2s ease-out}
.left{right:auto;left:20px}.center{left:0;right:0;margin:0 auto}
@keyframes in{from{opacity:0;translate:0 16px}}
@media (prefers-reduced-motion:reduce){.c{animation:none}}
*,*::before,*::after{box-sizing:border-box}
.c:focus{outline:none}
p,label{display:block;margin:0}
.q{font-weight:700;font-size:17px;margin:0 32px 14px 0}
[dir=rtl] .q{margin:0 0 14px 32px}
.s{display:grid;grid-template-columns:repeat(11,1fr);gap:4px}
button{font:inherit;color:inherit;margin:0;cursor:pointer;border-radius:8px}
.s button{min-height:40px;padding:0;font-weight:600;background:#fff;border:2px solid #cbd2d9}
.s button:hover{border-color:var(--a)}
.s [aria-pressed=true]{background:var(--a);border-color:var(--a);color:var(--i)}
@media (forced-colors:active){.s [aria-pressed=true]{outline:3px solid Highlight}}
button:focus-visible,textarea:focus-visible{outline:3px solid #1f2933;outline-offset:2px}
.n{display:flex;justify-content:space-between;gap:12px;margin-top:6px;color:#52606d;font-size:13px}
.n span:last-child{text-align:end}
.f{margin-top:16px}
.f label{font-weight:600;margin-bottom:6px}
textarea{display:block;width:100%;min-height:84px;padding:8px;font:inherit;color:inherit;background:#fff;
border:2px solid #cbd2d9;border-radius:8px;resize:vertical}
.go{margin-top:10px;min-height:42px;padding:0 28px;font-weight:700;border:0;
background:var(--a);color:var(--i)}
.go:disabled{opacity:.6}
.e{color:#52606d;font-size:14px;margin-top:10px}.e:empty{margin:0}
.t{text-align:center;padding:12px 24px}.t:focus{outline:none}
.h{font-weight:700;font-size:18px;margin-bottom:4px}
.x{position:absolute;top:8px;right:8px;width:36px;height:36px;padding:0;border:0;background:none;
font-size:24px;line-height:1;color:#52606d}
[dir=rtl] .x{right:auto;left:8px}
.x:hover{background:#f3f4f6}
[hidden]{display:none!important}
@media (max-width:480px){
.c{left:0;right:0;bottom:0;width:auto;max-width:none;margin:0;max-height:var(--vh,100vh);
border-radius:16px 16px 0 0;padding:16px;transform:translateY(calc(-1*var(--kb,0px)))}
.s{grid-template-columns:repeat(6,1fr);gap:6px}
.s button{min-height:44px}
.go{width:100%}}`;

  // An element with attributes and children: h("button", {class: "x"}, "×").
  const h = (tag, attributes, ...children) => {
    const element = D.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, value);
    element.append(...children);
    return element;
  };

  // Black or white text on the accent, whichever contrasts more (as the answer page: WCAG luminance).
  const ink = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#000" : "#fff";
  };

  const editing = (element) =>
    element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));

  const show = (decision, o) => {
    const texts = decision.texts || {};
    const text = (key) => String(texts[key] || "");
    const accent = /^#[0-9a-f]{6}$/i.test(decision.accent) ? decision.accent : "#4f46e5";
    const position = ["left", "center"].includes(decision.position) ? decision.position : "right";
    const token = decision.token;

    const host = h("opennps-widget");
    const root = host.attachShadow({ mode: "open" });
    // The accent and the keyboard offset are custom properties of one rule, changed through the CSSOM.
    const css = `${CSS}\n.c{--a:${accent};--i:${ink(accent)}}`;
    let sheet;
    if (root.adoptedStyleSheets && W.CSSStyleSheet && "replaceSync" in CSSStyleSheet.prototype) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } else {
      const style = h("style", o.nonce ? { nonce: o.nonce } : {}, css);
      root.append(style);
      sheet = {
        get cssRules() {
          return style.sheet ? style.sheet.cssRules : [];
        },
      };
    }
    const live = () => [...sheet.cssRules].reverse().find((rule) => rule.selectorText === ".c");

    const question = h("p", { class: "q", id: "q" }, text("question"));
    const scores = [...Array(11).keys()].map((n) =>
      h("button", { type: "button", "aria-pressed": "false", "data-score": n }, String(n)),
    );
    const close = h("button", { type: "button", class: "x", "aria-label": text("close") }, "×");
    const label = h("label", { for: "m" });
    const comment = h("textarea", { id: "m", maxlength: "5000", rows: "3" });
    const send = h("button", { type: "button", class: "go" }, text("send"));
    const status = h("p", { class: "e", role: "status" });
    const followup = h("div", { class: "f", hidden: "" }, label, comment, send);
    const form = h(
      "div",
      {},
      question,
      h("div", { class: "s", role: "group", "aria-labelledby": "q" }, ...scores),
      h("p", { class: "n" }, h("span", {}, text("anchor_low")), h("span", {}, text("anchor_high"))),
      status,
      followup,
    );
    const thanks = h(
      "div",
      { class: "t", tabindex: "-1", hidden: "" },
      h("p", { class: "h" }, text("thanks")),
      h("p", {}, text("thanks_detail")),
    );
    const box = h(
      "div",
      {
        class: `c ${position}`,
        role: "dialog",
        "aria-modal": "false", // the page stays usable: a card, not a modal
        "aria-labelledby": "q",
        tabindex: "-1",
        lang: decision.language || "",
        dir: decision.dir === "rtl" ? "rtl" : "ltr",
      },
      close,
      form,
      thanks,
    );
    root.append(box);

    let score = null;
    let stored = null; // the score the server has
    let closeTimer = 0;
    const before = D.activeElement;

    // Phones: the sheet rides above the on-screen keyboard and is never taller than what is visible;
    // while the comment box has the focus, the card scrolls (never the page) to keep it and Send in view.
    const viewport = W.visualViewport;
    const keep = () => {
      if (root.activeElement !== comment) return;
      const over = send.offsetTop + send.offsetHeight + 12 - box.clientHeight - box.scrollTop;
      if (over > 0) box.scrollTop += over;
    };
    const fit = () => {
      const rule = live();
      if (rule && viewport) {
        const covered = Math.max(0, W.innerHeight - viewport.height - viewport.offsetTop);
        rule.style.setProperty("--kb", `${Math.round(covered)}px`);
        rule.style.setProperty("--vh", `${Math.round(viewport.height)}px`);
      }
      requestAnimationFrame(keep);
    };
    if (viewport) {
      viewport.addEventListener("resize", fit);
      viewport.addEventListener("scroll", fit);
    }

    const finish = (dismissed) => {
      if (!card) return;
      card = null;
      busy = false;
      clearTimeout(closeTimer);
      if (viewport) {
        viewport.removeEventListener("resize", fit);
        viewport.removeEventListener("scroll", fit);
      }
      const hadFocus = root.activeElement;
      host.remove();
      if (hadFocus && before && before.focus) before.focus();
      if (dismissed !== null) {
        if (dismissed) post("dismiss", { token }).catch(warn);
        call(o.onClose);
      }
    };
    // finish(true): closed before answering (the server waits before asking again); finish(false):
    // closed after; finish(null): removed by reset, no callback.
    card = finish;

    const choose = async (n) => {
      score = n;
      for (const button of scores) button.setAttribute("aria-pressed", String(button === scores[n]));
      const group = n >= 9 ? "promoter" : n >= 7 ? "passive" : "detractor";
      let saved = {};
      try {
        saved = await post("answer", { token, score: n });
        stored = n;
        call(o.onRespond, { score: n, comment: null });
      } catch (error) {
        warn(error); // sent again with Send
      }
      if (score !== n || !card) return;
      status.textContent = text(stored === n ? "saved" : "failed");
      label.textContent =
        (typeof saved.followup === "string" && saved.followup) ||
        text(`followup_${saved.group || group}`) ||
        text("followup_default");
      const first = followup.hidden;
      followup.hidden = false;
      if (first) comment.focus();
    };

    const submit = async () => {
      const value = comment.value.trim();
      if (value || stored !== score) {
        send.disabled = true;
        try {
          await post("answer", value ? { token, score, comment: value } : { token, score });
          stored = score;
          call(o.onRespond, { score, comment: value || null });
        } catch (failure) {
          warn(failure);
          send.disabled = false;
          status.textContent = text("failed");
          return;
        }
      }
      form.hidden = true;
      thanks.hidden = false;
      thanks.focus();
      closeTimer = setTimeout(() => finish(false), 6000);
    };

    box.addEventListener("click", (event) => {
      const target = event.target.closest("button");
      if (!target) return;
      if (target === close) finish(score === null);
      else if (target === send) submit();
      else if (target.dataset.score) choose(Number(target.dataset.score));
    });
    comment.addEventListener("focus", fit);
    // Keyboard: Escape closes; Tab and Shift+Tab wrap around inside the card while it has the focus.
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        finish(score === null);
      } else if (event.key === "Tab") {
        const focusable = [close, ...scores, comment, send].filter((e) => e.offsetParent && !e.disabled);
        if (!focusable.length) return;
        const first = focusable[0];
        const last = focusable[focusable.length - 1];
        const active = root.activeElement;
        const edge = event.shiftKey ? active === first || active === box : active === last;
        if (edge || active === thanks) {
          event.preventDefault();
          (event.shiftKey ? last : first).focus();
        }
      }
    });

    D.body.append(host);
    fit();
    // The card takes the focus (its question is read out), unless the visitor is typing on the page.
    if (!editing(D.activeElement)) box.focus({ preventScroll: true });
    call(o.onShow);
  };

  const reset = () => {
    epoch++;
    if (timer) clearTimeout(timer);
    timer = 0;
    busy = false;
    if (card) card(null);
    memoryId = "";
    try {
      localStorage.removeItem(ANON);
    } catch (error) {}
  };

  // ---- commands: opennps("survey", {...}), opennps("reset"), and Delighted's delighted.survey(...) ----
  const commands = { survey, reset, track() {} };
  const run = (name, args) => {
    try {
      if (commands[name]) commands[name](...args);
      else warn("unknown command", name);
    } catch (error) {
      warn(error);
    }
  };
  const queued = (W.opennps && W.opennps.q) || [];
  const opennps = (name, ...args) => run(name, args);
  opennps.loaded = true;
  W.opennps = opennps;
  for (const args of queued) run(args[0], [...args].slice(1));

  // Delighted's snippet made `delighted` an array with survey/reset/track methods that push
  // [name, args]; loaded from /w/<key>/delighted.js we play its library: drain it and take the calls.
  if (delightedPath) {
    const stub = W.delighted;
    const delighted = Array.isArray(stub) ? stub : {};
    const pending = Array.isArray(stub) ? stub.splice(0) : [];
    for (const name of Object.keys(commands)) delighted[name] = (...args) => run(name, args);
    W.delighted = delighted;
    for (const item of pending) if (Array.isArray(item)) run(item[0], item[1] || []);
  }
})();
