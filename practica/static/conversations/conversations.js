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

  /* @mentions: a listbox of members that pops up from the textarea. The textarea keeps its
     own role (a multi-line textbox): a textarea may not take role=combobox, and a combobox
     may not be multi-line (ARIA in HTML, ARIA 1.2). So it says it has a listbox popup
     (aria-haspopup, aria-autocomplete, aria-controls) instead of aria-expanded, which a
     textbox does not support; whether the list is open and how many it holds is announced.
     Focus stays in the textarea; the arrow keys move the active option
     (aria-activedescendant), Enter or Tab inserts it, Escape closes the list. */
  function setupMentions(textarea) {
    var url = textarea.getAttribute("data-mentions-url");
    var box = textarea.parentNode.querySelector(".mention-suggestions");
    var status = textarea.parentNode.querySelector(".mention-status");
    if (!url || !box) return;
    textarea.setAttribute("aria-haspopup", "listbox");
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", box.id);
    var timer = null;
    var active = -1;
    function options() { return box.querySelectorAll("[role=option]"); }
    function say(text) { if (status) status.textContent = text; }
    function hide() {
      box.hidden = true;
      box.innerHTML = "";
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    }
    function setActive(index) {
      var list = options();
      if (!list.length) return;
      active = (index + list.length) % list.length;
      list.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      textarea.setAttribute("aria-activedescendant", list[active].id);
      list[active].scrollIntoView({ block: "nearest" });
    }
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
      hide();
      say("@" + username + " added.");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function show(people) {
      box.innerHTML = "";
      active = -1;
      people.forEach(function (person, i) {
        var option = document.createElement("li");
        option.id = box.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-username", person.username);
        option.textContent = person.name + " (@" + person.username + ", " + person.profession + ")";
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { insert(person.username); });
        box.appendChild(option);
      });
      box.hidden = !people.length;
      textarea.removeAttribute("aria-activedescendant");
      say(people.length
        ? people.length + (people.length === 1 ? " member" : " members") + " to mention: up and down arrows to choose, Enter to insert."
        : "No member matches.");
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      var q = partial();
      if (!q) { if (!box.hidden) hide(); return; }
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { if (partial() === q) show(data.results || []); })
          .catch(hide);
      }, 250);
    });
    textarea.addEventListener("keydown", function (event) {
      if (box.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        setActive(active < 0 && event.key === "ArrowUp" ? -1 : active + (event.key === "ArrowDown" ? 1 : -1));
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        insert(options()[active].getAttribute("data-username"));
      } else if (event.key === "Escape") {
        event.preventDefault();
        hide();
        say("Suggestions closed.");
      }
    });
    textarea.addEventListener("blur", function () { setTimeout(hide, 150); });
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
