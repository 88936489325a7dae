// On a scene page the left and right arrow keys go to the previous and next scene: the links marked
// rel="prev" and rel="next" inside an element with data-arrow-keys. Without JavaScript the links are there.
// Keys typed into a form field, or held with a modifier (Alt+Left is the browser's Back), are left alone.
const nav = document.querySelector("[data-arrow-keys]");
const links = { ArrowLeft: nav?.querySelector('a[rel="prev"]'), ArrowRight: nav?.querySelector('a[rel="next"]') };

for (const [key, link] of Object.entries(links)) {
  if (link) link.setAttribute("aria-keyshortcuts", key);
}

document.addEventListener("keydown", (event) => {
  const link = links[event.key];
  if (!link || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const target = event.target;
  if (target.isContentEditable || target.closest("input, textarea, select, [contenteditable], audio, video")) return;
  event.preventDefault();
  link.click();
});
