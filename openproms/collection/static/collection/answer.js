// Answering a measure on screen: number keys choose an answer, and in hand-over
// (kiosk) mode one question is shown at a time (Enter next, Backspace back) with
// a read-aloud button per question where the browser can speak. Without
// JavaScript every question shows on one page and the form still works.
(function () {
  "use strict";
  const form = document.querySelector("[data-answer-form]");
  if (!form) return;
  const items = Array.from(form.querySelectorAll("[data-item]"));

  function radios(item) {
    return Array.from(item.querySelectorAll("input[type=radio]"));
  }

  // Codes of two digits (0-10 scales): a second key soon after the first makes "10".
  let typed = "";
  let typedAt = 0;
  let typedIn = null;

  function choose(item, key) {
    const options = radios(item);
    let wanted = key;
    const recent = typedIn === item && Date.now() - typedAt < 1000;
    if (recent && typed && options.some((r) => r.value === typed + key)) {
      wanted = typed + key;
    }
    typed = Number(item.dataset.max) > 9 ? wanted : "";
    typedAt = Date.now();
    typedIn = item;
    const radio = options.find((r) => r.value === wanted);
    if (!radio) return false;
    radio.checked = true;
    radio.focus();
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  // Read aloud, only where the browser has speech synthesis.
  if ("speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function") {
    form.querySelectorAll("[data-read-aloud]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => {
        const item = button.closest("[data-item]");
        const question = item.querySelector(".app-item__text").textContent.trim();
        const answers = Array.from(item.querySelectorAll(".nhsuk-radios__label")).map(
          (label) => label.textContent.replace(/\(\d+\)\s*$/, "").trim()
        );
        // Spoken in the language the question is written in (decision 0028): the
        // utterance's lang, and a voice for that language when the device has one.
        const lang = item.dataset.lang || document.documentElement.lang || "en-GB";
        const utterance = new window.SpeechSynthesisUtterance(
          [question].concat(answers).join(". ")
        );
        utterance.lang = lang;
        const base = lang.toLowerCase().split("-")[0];
        const voice = window.speechSynthesis
          .getVoices()
          .find((v) => v.lang.toLowerCase().split(/[-_]/)[0] === base);
        if (voice) utterance.voice = voice;
        window.speechSynthesis.cancel();
        window.speechSynthesis.speak(utterance);
      });
    });
  }

  const oneAtATime =
    form.dataset.layout === "one" && !form.hasAttribute("data-has-errors") && items.length > 1;
  const progress = form.querySelector(".app-progress");
  const back = form.querySelector("[data-back]");
  const next = form.querySelector("[data-next]");
  const submit = form.querySelector("[data-submit]");
  const hint = document.querySelector(".app-keys-hint");
  if (hint) hint.hidden = false;
  let current = 0;

  function show(index) {
    current = Math.max(0, Math.min(index, items.length - 1));
    items.forEach((item, i) => {
      item.hidden = i !== current;
    });
    const last = current === items.length - 1;
    if (progress) {
      progress.hidden = false;
      progress.textContent = "Question " + (current + 1) + " of " + items.length;
    }
    if (back) back.hidden = current === 0;
    if (next) next.hidden = last;
    if (submit) submit.hidden = !last;
    const item = items[current];
    const target =
      item.querySelector("input[type=radio]:checked") ||
      item.querySelector("input[type=radio], input[type=text]");
    if (target) target.focus();
  }

  if (oneAtATime) {
    show(0);
    if (next) next.addEventListener("click", () => show(current + 1));
    if (back) back.addEventListener("click", () => show(current - 1));
  }

  form.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    const typing = target.matches("textarea, input[type=text], input[type=password]");
    const item = oneAtATime ? items[current] : target.closest("[data-item]");
    if (!typing && item && /^[0-9]$/.test(event.key)) {
      if (choose(item, event.key)) event.preventDefault();
      return;
    }
    if (!oneAtATime) return;
    if (event.key === "Enter" && !target.matches("button, textarea, a")) {
      event.preventDefault();
      if (current < items.length - 1) show(current + 1);
      else form.requestSubmit();
    } else if (event.key === "Backspace" && !typing && current > 0) {
      event.preventDefault();
      show(current - 1);
    }
  });
})();
