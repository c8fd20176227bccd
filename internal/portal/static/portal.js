// The portal's only script, and nothing depends on it. Quick exit: the
// button and the Escape key replace this page with a neutral site
// (location.replace, so the page leaves the tab's history). Links and the
// self-check inside the portal also replace the page, so the whole visit is
// one entry in the history that quick exit then replaces. The tip form
// gets a proof of work, which lets a sender past the plain rate limit.
(function () {
  "use strict";
  var exit = document.getElementById("quick-exit");
  if (!exit) { return; }
  var target = exit.getAttribute("href");
  function leave(e) {
    if (e) { e.preventDefault(); }
    document.title = "";
    document.body.style.display = "none";
    window.location.replace(target);
  }
  exit.addEventListener("click", leave);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" || e.key === "Esc") { leave(e); }
  });
  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) { return; }
    var a = e.target.closest ? e.target.closest("a[href]") : null;
    if (!a || a === exit || a.origin !== window.location.origin || a.pathname.indexOf("/help/") !== 0) { return; }
    if (a.pathname === window.location.pathname && a.hash) { return; }
    e.preventDefault();
    window.location.replace(a.href);
  });
  var check = document.getElementById("check-form");
  if (check && window.URLSearchParams && window.FormData) {
    check.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = new URLSearchParams(new FormData(check)).toString();
      window.location.replace("/help/check?" + q + "#check-result");
    });
  }
  var ch = document.getElementById("pow-challenge"), nonce = document.getElementById("pow-nonce");
  if (ch && nonce && window.fetch && window.crypto && window.crypto.subtle && window.TextEncoder) {
    fetch("/help/tip/challenge", { cache: "no-store", credentials: "omit" }).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (c) {
      var bits = parseInt(c.split(".")[1], 10);
      if (!c || !(bits > 0)) { return; }
      var enc = new TextEncoder(), n = 0;
      function zeros(buf) {
        var b = new Uint8Array(buf), left = bits, i = 0;
        while (left >= 8) { if (b[i++] !== 0) { return false; } left -= 8; }
        return left === 0 || (b[i] >> (8 - left)) === 0;
      }
      function step() {
        var batch = [];
        for (var k = 0; k < 64; k++) { batch.push(crypto.subtle.digest("SHA-256", enc.encode(c + ":" + (n + k)))); }
        return Promise.all(batch).then(function (sums) {
          for (var k = 0; k < sums.length; k++) {
            if (zeros(sums[k])) { ch.value = c; nonce.value = String(n + k); return; }
          }
          n += 64;
          if (n < 4000000) { return step(); }
        });
      }
      return step();
    }).catch(function () {});
  }
})();
