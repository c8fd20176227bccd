// Ura's only script: small progressive enhancements. Every page works without
// it; it is loaded from 'self' (no inline script) under a strict CSP. All texts
// it shows come from data- attributes the server translated.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // <form data-confirm="…"> or <button data-confirm="…">: ask before a
  // destructive action (deactivate a user, revoke a token).
  document.addEventListener("submit", function (e) {
    var el = e.submitter && e.submitter.hasAttribute("data-confirm") ? e.submitter : e.target;
    var msg = el && el.getAttribute && el.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  // <button data-copy="#id" data-copied="Copied" data-copy-failed="…">: copy a
  // token or the recovery codes, and say so in a live region.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("button[data-copy]");
    if (!btn) return;
    e.preventDefault();
    var target = document.querySelector(btn.getAttribute("data-copy"));
    if (!target) return;
    var status = btn.nextElementSibling;
    if (!status || !status.classList.contains("copy-status")) {
      status = document.createElement("span");
      status.className = "copy-status";
      status.setAttribute("role", "status");
      btn.insertAdjacentElement("afterend", status);
    }
    var say = function (attr) {
      status.textContent = btn.getAttribute(attr) || "";
      window.setTimeout(function () { status.textContent = ""; }, 4000);
    };
    if (!navigator.clipboard) { say("data-copy-failed"); return; }
    navigator.clipboard.writeText(target.innerText.trim()).then(
      function () { say("data-copied"); },
      function () { say("data-copy-failed"); });
  });

  // After a failed submit, put the keyboard on the first field at fault, or on
  // the error summary; otherwise on a field marked data-autofocus.
  function focusFirst(root) {
    var el = root.querySelector("[data-error-focus]") ||
      root.querySelector("[aria-invalid=true]") ||
      root.querySelector(".alert-error[tabindex]") ||
      root.querySelector("[data-autofocus]");
    if (el && typeof el.focus === "function") el.focus();
  }

  // A table too wide for the screen scrolls inside .table-wrap; keyboard users
  // can only scroll it if it can take focus, so give it focus and a name
  // (its caption, or the heading before it) when it overflows.
  function scrollables(root) {
    root.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth <= wrap.clientWidth || wrap.hasAttribute("tabindex")) return;
      wrap.setAttribute("tabindex", "0");
      if (!wrap.hasAttribute("role")) wrap.setAttribute("role", "region");
      if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
        var cap = wrap.querySelector("caption");
        var head = wrap.previousElementSibling;
        var name = cap ? cap.textContent : (head && /^H[1-6]$/.test(head.tagName) ? head.textContent : "");
        if (name) wrap.setAttribute("aria-label", name.trim());
      }
    });
  }

  function enhance(root) { scrollables(root); focusFirst(root); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
  window.addEventListener("resize", function () { scrollables(document); });
  document.addEventListener("htmx:afterSwap", function (e) { enhance(e.target); });
})();
