// "Cite this page": the citation gets the reader's date of access (from their own clock, so a page served from a
// cache never shows the server's date) and a button that copies it. Without JavaScript the text is still there to
// select, with a note saying what to add.

import { copyButton } from "./copy.js";

// MLA abbreviates the months longer than four letters.
const MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."];

export function accessed(date) {
  return ` Accessed ${date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()}.`;
}

for (const citation of document.querySelectorAll("[data-citation]")) {
  citation.querySelector("[data-accessed]").textContent = accessed(new Date());
  const note = citation.parentElement.querySelector("[data-citation-note]");
  if (note) note.hidden = true;
  if (!navigator.clipboard) continue;
  const [button, status] = copyButton({
    label: "Copy the citation",
    className: "cite__copy",
    text: () => citation.textContent.replace(/\s+/g, " ").trim(),
    copied: "Copied.",
    failed: "Could not copy: select the text instead.",
  });
  status.className = "cite__status";
  citation.after(button, status);
}
