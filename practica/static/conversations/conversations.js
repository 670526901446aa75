/* Conversations: keep drafts in the browser, suggest @mentions, confirm deletes.
   Everything here is an enhancement: the forms work without it. */
(function () {
  "use strict";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text")) && el.name;
    });
  }

  function setupDraft(form) {
    var key = form.getAttribute("data-draft-key");
    var store = storage();
    if (!key || !store) return;
    var status = form.querySelector(".draft-status");
    var fields = fieldsOf(form);
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    var empty = fields.every(function (el) { return !el.value.trim(); });
    if (saved && empty) {
      fields.forEach(function (el) { if (saved[el.name]) el.value = saved[el.name]; });
      if (status) {
        status.textContent = "Your unsent draft is back. ";
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "link-button";
        discard.textContent = "Discard it";
        discard.addEventListener("click", function () {
          store.removeItem(key);
          fields.forEach(function (el) { el.value = ""; });
          status.textContent = "Draft discarded.";
        });
        status.appendChild(discard);
      }
    }
    var timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var data = {};
        fields.forEach(function (el) { data[el.name] = el.value; });
        try { store.setItem(key, JSON.stringify(data)); } catch (e) { return; }
        if (status) status.textContent = "Draft kept on this device.";
      }, 500);
    });
  }

  function clearDrafts() {
    var store = storage();
    if (!store) return;
    document.querySelectorAll("[data-clear-drafts]").forEach(function (el) {
      el.getAttribute("data-clear-drafts").split(" ").forEach(function (key) {
        if (key) store.removeItem(key);
      });
    });
  }

  function setupMentions(textarea) {
    var url = textarea.getAttribute("data-mentions-url");
    var box = textarea.parentNode.querySelector(".mention-suggestions");
    if (!url || !box) return;
    var timer = null;
    function hide() { box.hidden = true; box.innerHTML = ""; }
    function partial() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = /(^|[\s(])@([\w.-]{1,60})$/.exec(before);
      return match ? match[2] : null;
    }
    function insert(username) {
      var start = textarea.selectionStart;
      var before = textarea.value.slice(0, start).replace(/@[\w.-]*$/, "@" + username + " ");
      textarea.value = before + textarea.value.slice(start);
      textarea.focus();
      textarea.setSelectionRange(before.length, before.length);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      hide();
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      var q = partial();
      if (!q) { hide(); return; }
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            box.innerHTML = "";
            (data.results || []).forEach(function (person) {
              var button = document.createElement("button");
              button.type = "button";
              button.className = "small secondary";
              button.setAttribute("role", "option");
              button.textContent = person.name + " (@" + person.username + ", " + person.profession + ")";
              button.addEventListener("click", function () { insert(person.username); });
              box.appendChild(button);
            });
            box.hidden = !box.children.length;
          })
          .catch(hide);
      }, 250);
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Escape") hide();
      if (event.key === "ArrowDown" && !box.hidden && box.firstChild) {
        event.preventDefault();
        box.firstChild.focus();
      }
    });
  }

  /* "Reply" on a post fills the reply form's hidden field in place of reloading the page
     with ?reply_to=; "reply to the whole thread instead" empties it again. */
  function setupReplyTo() {
    var field = document.querySelector("[data-reply-to-field]");
    if (!field) return;
    var note = document.querySelector("[data-replying-to]");
    var name = document.querySelector("[data-replying-to-name]");
    var form = field.form;
    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-reply-to]");
      if (link) {
        event.preventDefault();
        field.value = link.getAttribute("data-reply-to");
        if (name) name.textContent = link.getAttribute("data-reply-to-name");
        if (note) note.hidden = false;
        var textarea = form && form.querySelector("textarea");
        if (textarea) { textarea.scrollIntoView({ block: "center" }); textarea.focus(); }
        return;
      }
      if (event.target.closest("[data-reply-to-cancel]") && field.value) {
        event.preventDefault();
        field.value = "";
        if (note) note.hidden = true;
      }
    });
  }

  function init() {
    clearDrafts();
    setupReplyTo();
    document.querySelectorAll("form[data-draft-key]").forEach(setupDraft);
    document.querySelectorAll("textarea[data-mentions-url]").forEach(setupMentions);
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
