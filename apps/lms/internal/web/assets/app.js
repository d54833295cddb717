// Bellwork LMS: the one script. Behaviour hangs off data-* attributes; the
// pages work without it (forms post, links navigate), it only makes them nicer.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.dataset.js = "on";
  // Ask before destructive actions.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // Role switcher: submit on change; the button is only needed without JS.
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    for (const button of form.querySelectorAll("[data-hide-when-js]")) button.hidden = true;
    form.addEventListener("change", () => form.submit());
  }

  // Colour swatches (inline styles are forbidden by the CSP; the CSSOM is not).
  for (const el of document.querySelectorAll("[data-color]")) {
    if (/^#[0-9a-fA-F]{6}$/.test(el.dataset.color)) el.style.backgroundColor = el.dataset.color;
  }

  // Progress of long work: poll until done, then reload to show the result.
  for (const box of document.querySelectorAll("[data-poll]")) poll(box);

  // Grading view: Alt+arrows move between students, Ctrl+Enter saves, and
  // a fully rated rubric fills the score (the server does the same).
  for (const grader of document.querySelectorAll("[data-grader]")) grading(grader);
});

function grading(grader) {
  const form = grader.querySelector("[data-grade-form]");
  document.addEventListener("keydown", (event) => {
    if (event.altKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
      const link = grader.querySelector(event.key === "ArrowLeft" ? "a[rel=prev]" : "a[rel=next]");
      if (link) { event.preventDefault(); window.location.assign(link.href); }
    }
    if (form && (event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  if (!form) return;
  const score = form.querySelector("[data-score]");
  const groups = new Set([...form.querySelectorAll("input[data-points]")].map((r) => r.name));
  form.addEventListener("change", (event) => {
    if (!event.target.matches("input[data-points]") || !score) return;
    const chosen = [...form.querySelectorAll("input[data-points]:checked")];
    if (chosen.length !== groups.size) return;
    score.value = String(chosen.reduce((sum, r) => sum + Number(r.dataset.points), 0));
  });
}

function poll(box) {
  const bar = box.querySelector("[data-progress]");
  const text = box.querySelector("[data-progress-text]");
  const tick = async () => {
    try {
      const res = await fetch(box.dataset.poll, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!res.ok) throw new Error(res.status);
      const p = await res.json();
      if (bar) { bar.max = Math.max(p.total, 1); bar.value = p.progress; bar.textContent = p.percent + "%"; }
      if (text) text.textContent = p.progress + " of " + p.total + " rows";
      if (p.done) { window.location.reload(); return; }
    } catch (err) {
      if (text) text.textContent = "Still working… (progress is unavailable for a moment)";
    }
    window.setTimeout(tick, 1000);
  };
  window.setTimeout(tick, 500);
}
