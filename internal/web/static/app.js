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

  // openAround opens every <details> that holds el, so a form the server
  // marked as failed, or a section a link points into, can be seen.
  function openAround(el) {
    for (var d = el && el.closest && el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
  }

  // After a failed submit, put the keyboard on the message beside the form
  // (docs/ui.md "Errors beside the form"), or on the first field at fault, or
  // on the error summary; otherwise on a field marked data-autofocus.
  function focusFirst(root) {
    var el = root.querySelector("[data-error-focus]") ||
      root.querySelector("[aria-invalid=true]") ||
      root.querySelector("main .field-error[id]") ||
      root.querySelector(".alert-error[tabindex]") ||
      root.querySelector("[data-autofocus]");
    if (!el || typeof el.focus !== "function") return;
    if (el.classList.contains("field-error") && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    openAround(el);
    el.focus();
  }

  // A link to a fragment inside a closed <details> (the error summary, "Go
  // to the consent form", the section navigation) opens it and puts the
  // keyboard on the first field of a form, or on the target itself.
  function followHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    openAround(target);
    if (target.tagName === "DETAILS") target.open = true;
    var field = target.tagName === "FORM" ? target.querySelector("input:not([type=hidden]), select, textarea") : null;
    var el = field || target;
    if (!field && !el.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA|SUMMARY)$/.test(el.tagName)) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus();
  }
  window.addEventListener("hashchange", followHash);
  // The browser's own scroll to the fragment, after the page has loaded,
  // can take the focus back to the document: follow the fragment again.
  window.addEventListener("load", function () {
    var a = document.activeElement;
    if (a && a !== document.body && a !== document.documentElement) return;
    if (document.querySelector("[data-error-focus], [aria-invalid=true], main .field-error[id]")) {
      focusFirst(document);
    } else if (location.hash.length > 1) {
      followHash();
    }
  });

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

  // <fieldset data-roving>: a group of checkboxes is one Tab stop; the arrow
  // keys (and Home, End) move between its boxes and Space ticks, so a long
  // list (indicators, forms of exploitation) costs one Tab, not forty. The
  // group's hint (.js-only) says so. Without JavaScript every box is a stop.
  function roving(root) {
    root.querySelectorAll("fieldset[data-roving]").forEach(function (fs) {
      if (fs.hasAttribute("data-roving-on")) return;
      var boxes = Array.prototype.slice.call(fs.querySelectorAll("input[type=checkbox]"));
      if (boxes.length < 2) return;
      fs.setAttribute("data-roving-on", "");
      var stop = function (box) { boxes.forEach(function (b) { b.tabIndex = b === box ? 0 : -1; }); };
      stop(boxes.filter(function (b) { return b.checked; })[0] || boxes[0]);
      fs.addEventListener("focusin", function (e) { if (boxes.indexOf(e.target) >= 0) stop(e.target); });
      fs.addEventListener("keydown", function (e) {
        var i = boxes.indexOf(e.target);
        if (i < 0 || e.altKey || e.ctrlKey || e.metaKey) return;
        var next = {ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1, Home: 0, End: boxes.length - 1}[e.key];
        if (next === undefined) return;
        e.preventDefault();
        next = Math.max(0, Math.min(boxes.length - 1, next));
        stop(boxes[next]);
        boxes[next].focus();
      });
    });
  }

  // The consent form's recipient: only the field the chosen scope needs is
  // shown (data-for-scope); without JavaScript all are, with their hint.
  function scopeTargets(root) {
    var scope = root.querySelector("#consent-scope");
    if (!scope) return;
    var show = function () {
      root.querySelectorAll("[data-for-scope]").forEach(function (f) {
        f.hidden = f.getAttribute("data-for-scope").split(" ").indexOf(scope.value) < 0;
      });
      var set = root.querySelector("#consent-target");
      if (set) set.hidden = !set.querySelector("[data-for-scope]:not([hidden])");
    };
    scope.addEventListener("change", show);
    show();
  }

  function enhance(root) {
    scrollables(root);
    roving(root);
    scopeTargets(root);
    if (root.querySelector("[data-error-focus], [aria-invalid=true], main .field-error[id]")) {
      focusFirst(root);
    } else if (location.hash.length > 1) {
      followHash();
    } else {
      focusFirst(root);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
  window.addEventListener("resize", function () { scrollables(document); });
})();
