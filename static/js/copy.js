// A button that copies some text to the clipboard, and a status line (role="status") that says whether it did.
// Used by the lists' "Copy link" and the pages' "Cite this page".

// Returns [button, status] for the caller to place; `text` is called at each click for what to copy.
export function copyButton({ label, className, text, copied, failed }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  button.textContent = label;
  const status = document.createElement("span");
  status.setAttribute("role", "status");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text());
      status.textContent = copied;
    } catch {
      status.textContent = failed;
    }
  });
  return [button, status];
}
