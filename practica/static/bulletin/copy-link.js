/* "Copy link": copies the page address instead of following the link. Without
   JavaScript (or without a clipboard) the link simply opens the page. */
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-copy-link]");
  if (!link || !navigator.clipboard) return;
  event.preventDefault();
  var status = link.parentElement.querySelector(".copy-status");
  navigator.clipboard.writeText(link.getAttribute("data-copy-link")).then(
    function () { if (status) status.textContent = "Link copied"; },
    function () { window.location.href = link.href; }
  );
});
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) { button.hidden = false; });
});
