// Moderato console: keyboard triage, actions without page loads, the undo toast.
// Every action is also a plain form POST, so the console works without this file; on a
// comment's own page it stays one, so the page comes back showing the new decision.
"use strict";

(() => {
  const list = document.querySelector(".comments");
  const story = document.querySelector(".story");
  const toast = document.getElementById("toast");
  const undoForm = document.getElementById("undo-form");
  const help = document.getElementById("help");
  const selectAll = document.querySelector("[data-select-all]");
  const selectedCount = document.querySelector(".selected-count");
  let current = null;
  let hideTimer = null;

  const rows = () => [...document.querySelectorAll(".comment")];
  // A campaign's row has no checkbox: it is decided through its own buttons, all of it at once.
  const checkbox = (row) => row.querySelector('.pick input[type="checkbox"]');
  const selectable = () => rows().filter(checkbox);
  // The comments a row stands for: its own, or those of the campaign it shows.
  const idsOf = (row) => (row.dataset.members || row.dataset.id).split(" ");

  function focusRow(row) {
    current?.classList.remove("current");
    current = row || null;
    if (!current) return;
    current.classList.add("current");
    current.focus({ preventScroll: true });
    current.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = rows();
    const index = all.indexOf(current);
    if (index === -1) return focusRow(all[0]);
    focusRow(all[Math.min(Math.max(index + step, 0), all.length - 1)]);
  }

  function updateSelection() {
    const all = selectable();
    const picked = all.filter((row) => checkbox(row).checked);
    all.forEach((row) => row.classList.toggle("selected", checkbox(row).checked));
    if (selectedCount) selectedCount.textContent = picked.length ? `${picked.length} selected` : "";
    if (selectAll) selectAll.checked = all.length > 0 && picked.length === all.length;
  }

  function hideToastIn(seconds) {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => {
      toast.hidden = true;
      undoForm.hidden = true;
    }, seconds * 1000);
  }

  function showToast(message, undoIds) {
    toast.querySelectorAll(".toast-message").forEach((node) => node.remove());
    const text = document.createElement("p");
    text.className = "toast-message";
    text.textContent = message; // never innerHTML: messages may quote reader input
    toast.prepend(text);
    undoForm.querySelectorAll('input[name="ids"]').forEach((node) => node.remove());
    for (const id of undoIds) {
      const input = document.createElement("input");
      Object.assign(input, { type: "hidden", name: "ids", value: id });
      undoForm.append(input);
    }
    undoForm.hidden = undoIds.length === 0;
    toast.hidden = false;
    hideToastIn(undoIds.length ? 10 : 6);
  }

  // A comment decided where it already was (a confirmation) stays in the list: show the
  // decision in its row, and offer no second confirmation.
  function markDecided(results) {
    for (const result of results) {
      const row = rows().find((candidate) => candidate.dataset.id === String(result.id));
      if (!row) continue;
      row.querySelector(".decision").textContent = result.decision;
      row.querySelectorAll("button[data-confirms]").forEach((button) => button.remove());
      if (checkbox(row)) checkbox(row).checked = false;
    }
    updateSelection();
  }

  function removeRows(done) {
    const all = rows();
    const index = all.indexOf(current);
    const keep = (row) => !idsOf(row).some((id) => done.has(id));
    const next = all.slice(index + 1).find(keep) || all.slice(0, Math.max(index, 0)).reverse().find(keep);
    all.filter((row) => !keep(row)).forEach((row) => row.remove());
    if (!current?.isConnected) focusRow(next);
    updateSelection();
    // The page is worked through: load the next one (the undo offer survives in the session).
    if (rows().length === 0) window.location.reload();
  }

  async function act(form, submitter) {
    const body = new FormData(form, submitter);
    const ids = body.getAll("ids");
    if (ids.length === 0) return showToast("Select at least one comment first (x).", []);
    const affected = rows().filter((row) => idsOf(row).some((id) => ids.includes(id)));
    affected.forEach((row) => row.classList.add("leaving"));
    // Move on at once, so the next key press acts on the next comment, not this one again.
    if (affected.includes(current)) {
      const all = rows();
      const next = all.slice(all.indexOf(current) + 1).find((row) => !row.classList.contains("leaving"));
      if (next) focusRow(next);
    }
    try {
      // getAttribute: form.action would be the button named "action".
      const response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!(response.headers.get("Content-Type") || "").includes("json")) {
        throw new Error(`The server refused the action (${response.status}). Reload the page.`);
      }
      const data = await response.json();
      if (!data.results) throw new Error(data.message || data.error);
      const succeeded = data.results.filter((r) => r.code === 200);
      const stays = (r) => r.status === list.dataset.status;
      showToast(data.message, data.undo);
      markDecided(succeeded.filter(stays));
      removeRows(new Set(succeeded.filter((r) => !stays(r)).map((r) => String(r.id))));
    } catch (error) {
      showToast(error.message, []);
    } finally {
      affected.forEach((row) => row.classList.remove("leaving"));
    }
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || help?.open) return;
    if (event.target.matches('input:not([type="checkbox"]), select, textarea')) return;
    const key = event.key;
    if (key === "j") move(1);
    else if (key === "k") move(-1);
    else if (key === "x" && current && checkbox(current)) {
      checkbox(current).checked = !checkbox(current).checked;
      updateSelection();
    } else if (key === "o" && current) window.location.assign(current.querySelector(".story-link").href);
    else if (key === "u" && !undoForm.hidden) undoForm.requestSubmit();
    else if (key === "?" && help) help.showModal();
    else {
      const scope = list ? current : story;
      const button = /^[a-z]$/.test(key) && scope?.querySelector(`button[data-key="${key}"]`);
      if (!button) return;
      if (list) act(button.form, button);
      else button.form.requestSubmit(button);
    }
    event.preventDefault();
  }

  document.addEventListener("keydown", onKey);
  document.querySelectorAll(".comments form.actions, form#bulk").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(form, event.submitter);
    });
  });
  list?.addEventListener("click", (event) => {
    const row = event.target.closest(".comment");
    if (row && row !== current) {
      current?.classList.remove("current");
      current = row;
      row.classList.add("current");
    }
  });
  list?.addEventListener("change", updateSelection);
  if (selectAll) {
    selectAll.closest("label").hidden = false;
    selectAll.addEventListener("change", () => {
      selectable().forEach((row) => (checkbox(row).checked = selectAll.checked));
      updateSelection();
    });
  }
  document.querySelectorAll("[data-open-help]").forEach((button) => {
    button.hidden = !help;
    button.addEventListener("click", () => help.showModal());
  });
  if (!toast.hidden) hideToastIn(undoForm.hidden ? 6 : Number(undoForm.dataset.seconds) || 1);
  if (list && document.activeElement === document.body) focusRow(rows()[0]);
})();
