import { copyButton } from "./copy.js";

// The lists' filter forms, made handier where JavaScript runs; without it every list works the same, as plain
// links and GET forms. Loaded as a module (deferred, no globals) by list_base.html and facet_choices.html.

// A form marked data-shows-address shows exactly the filters in the address. The server renders it so, and
// autocomplete="off" stops a browser from refilling it on Back; but a page kept whole in the back/forward cache
// comes back with the boxes as they were last touched, perhaps ticked and never submitted. Put them back.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-shows-address]")) {
    form.reset(); // back to the checked/selected/value attributes the server wrote
    for (const box of form.querySelectorAll("input[data-narrows]")) box.dispatchEvent(new Event("input"));
  }
  for (const status of document.querySelectorAll("[data-copy-status]")) status.textContent = "";
});

// Letters and accents folded, so "sakuma" finds "Sakuma" and "kurita" "Kurita".
function folded(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

// A type-to-narrow box above each long list of choices (ul[data-narrow="its label"]): typing hides the choices
// whose label lacks the text; a status line says how many are left, for screen readers too.
let narrowBoxes = 0;
for (const list of document.querySelectorAll("ul[data-narrow]")) {
  const items = [...list.children].filter((item) => item.querySelector("input"));
  if (items.length < 2) continue;
  narrowBoxes += 1;
  const id = `narrow-${narrowBoxes}`;
  const field = document.createElement("div");
  field.className = "narrow";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = list.dataset.narrow;
  const box = document.createElement("input");
  box.type = "search";
  box.id = id;
  box.autocomplete = "off";
  box.dataset.narrows = "";
  box.setAttribute("aria-controls", list.id || (list.id = `${id}-list`));
  const status = document.createElement("p");
  status.className = "narrow__status";
  status.setAttribute("role", "status");
  field.append(label, box, status);
  list.before(field);

  box.addEventListener("input", () => {
    const wanted = folded(box.value);
    let shown = 0;
    for (const item of items) {
      // A ticked choice stays in sight: hiding it would hide part of what the form will send.
      const keep = !wanted || folded(item.textContent).includes(wanted) || item.querySelector("input:checked");
      item.hidden = !keep;
      if (keep) shown += 1;
    }
    status.textContent = wanted ? `${shown} of ${items.length} shown` : "";
  });
  // Enter in the box would submit the whole form: narrowing is all it should do.
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
}

// A "Copy link" button where the list marks a place for it (data-copy-link): the address is the list's whole
// state, so it is the link to share. Only where the Clipboard API is there (secure pages).
for (const slot of document.querySelectorAll("[data-copy-link]")) {
  if (!navigator.clipboard) continue;
  const [button, status] = copyButton({
    label: "Copy link to this list",
    className: "button--quiet",
    text: () => window.location.href,
    copied: "Link copied.",
    failed: "Could not copy: the address bar holds the same link.",
  });
  status.dataset.copyStatus = "";
  slot.append(button, " ", status);
  slot.hidden = false;
}
