/* Practica: behaviour shared by every page. Each part is an enhancement: without
   JavaScript the menu opens by :target, folds are plain <details>, forms post as usual. */
(function () {
  "use strict";

  var WIDE = "(min-width: 48rem)";

  /* The phone menu: the "Menu" link becomes a disclosure button. */
  function setupMenu() {
    var toggle = document.querySelector("[data-menu-toggle]");
    var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) return;
    toggle.setAttribute("role", "button");
    toggle.setAttribute("aria-expanded", "false");
    function setOpen(open) {
      menu.classList.toggle("is-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      var open = !menu.classList.contains("is-open");
      setOpen(open);
      if (open) {
        var first = menu.querySelector("a, input, button");
        if (first) first.focus();
      }
    });
    toggle.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); toggle.click(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("is-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.classList.contains("is-open") && !menu.contains(event.target) && !toggle.contains(event.target)) {
        setOpen(false);
      }
    });
  }

  /* A community's navigation scrolls sideways on a phone: show the current page's link. */
  function revealCurrentTab() {
    document.querySelectorAll(".community-nav").forEach(function (nav) {
      var current = nav.querySelector("[aria-current]");
      if (!current || nav.scrollWidth <= nav.clientWidth) return;
      nav.scrollLeft = current.offsetLeft - nav.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2;
    });
  }

  /* Filters fold behind a button on a phone; on a wide screen they are simply open. */
  function openFoldsOnWideScreens() {
    if (!window.matchMedia || !window.matchMedia(WIDE).matches) return;
    document.querySelectorAll("details.fold-narrow").forEach(function (fold) { fold.open = true; });
  }

  /* After a refused submit, focus goes to the error summary; its links take focus to the field. */
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  function setupErrorLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-error-summary] a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1)) ||
        document.getElementsByName(link.getAttribute("data-field"))[0];
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
    document.addEventListener("htmx:afterSwap", function (event) { focusErrorSummary(event.target); });
  }

  function init() {
    focusErrorSummary();
    setupErrorLinks();
    setupMenu();
    revealCurrentTab();
    openFoldsOnWideScreens();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
