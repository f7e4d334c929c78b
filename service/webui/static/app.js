// Live run pages: while the page says data-live, fetch it again every
// second and swap its main content in. Without JavaScript the page
// refreshes itself (a noscript meta refresh).
(function () {
  "use strict";
  function poll() {
    if (!document.body.hasAttribute("data-live")) {
      return;
    }
    fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var next = doc.getElementById("main");
        if (next) {
          document.getElementById("main").innerHTML = next.innerHTML;
        }
        if (!doc.body.hasAttribute("data-live")) {
          document.body.removeAttribute("data-live");
        }
      })
      .catch(function () { /* the next tick tries again */ })
      .then(function () { window.setTimeout(poll, 1000); });
  }
  document.addEventListener("DOMContentLoaded", function () { window.setTimeout(poll, 1000); });
})();
