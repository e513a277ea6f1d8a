// A site's settings page: say that a preview is under way while the server replays comments.
// The page works without this file; it only tells the admin why the answer takes a moment.
"use strict";

(() => {
  const form = document.getElementById("settings-form");
  const status = document.getElementById("preview-status");
  if (!form || !status) return;
  form.addEventListener("submit", (event) => {
    if (event.submitter?.value !== "preview") return;
    status.textContent = `Replaying ${status.dataset.count} comments of the last 30 days…`;
    form.setAttribute("aria-busy", "true");
  });
})();
