{% autoescape off %}// The kiosk's service worker, served as /k/<token>/sw.js by responses/kiosk_views.py (its scope is that
// kiosk), so that a tablet reopens the kiosk with no network after one visit. The page and its two files
// come from the network when it answers, else from the cache. Answers never pass through here: kiosk.js
// keeps them in localStorage until the server confirms each one.
"use strict";
var PAGE = "{{ page|escapejs }}";
var ASSETS = [{% for asset in assets %}"{{ asset|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
// A new deploy (new file names) is a new cache; the old one goes when the new worker takes over.
var PREFIX = "opennps-kiosk:" + PAGE + ":";
var CACHE = PREFIX + ASSETS.join(",");

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll([PAGE].concat(ASSETS)); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(
        names.filter(function (name) { return name.indexOf(PREFIX) === 0 && name !== CACHE; }).map(function (name) {
          return caches.delete(name);
        })
      );
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  var isPage = request.mode === "navigate" && url.pathname === PAGE;
  if (!isPage && ASSETS.indexOf(url.pathname) < 0) return;
  var key = isPage ? PAGE : url.pathname;
  event.respondWith(
    fetch(request).then(
      function (response) {
        // Only the working kiosk is kept: a closed survey (410) or a busy server (429) is shown, not stored.
        if (response.status === 200) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
        }
        return response;
      },
      function () {
        return caches.match(key, { ignoreVary: true }).then(function (cached) { return cached || Response.error(); });
      }
    )
  );
});
{% endautoescape %}
