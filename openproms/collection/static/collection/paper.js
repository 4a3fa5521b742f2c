// Fast entry of a paper form: one key per item (the code printed beside the ticked
// box) moves on by itself; "-" or Space records "left blank"; Backspace on an empty
// box goes back; items with codes of more than one digit take a typed number and
// Enter (or Tab). Enter on the last item saves.
(function () {
  "use strict";
  const form = document.querySelector("[data-paper-form]");
  if (!form) return;
  const boxes = Array.from(form.querySelectorAll("[data-paper-item]"));
  // The browser applies autofocus a frame or two after the page loads; focus
  // the first box now so that keys typed straight away are not lost.
  const first = form.querySelector("[data-paper-item][autofocus]");
  if (first && (!document.activeElement || document.activeElement === document.body)) {
    first.focus();
  }

  function go(index) {
    if (index >= boxes.length) {
      form.requestSubmit();
      return;
    }
    const box = boxes[Math.max(0, index)];
    box.focus();
    box.select();
  }

  // A key that is not an answer is said beside the box (and read out), not
  // silently dropped: the person typing can tell the key was not taken.
  function say(box, text) {
    const group = box.closest(".app-paper-item");
    let note = group.querySelector("[data-key-note]");
    if (!note) {
      note = document.createElement("p");
      note.className = "nhsuk-error-message";
      note.setAttribute("data-key-note", "");
      note.setAttribute("role", "status");
      box.before(note);
    }
    note.textContent = text;
  }

  function clear(box) {
    const note = box.closest(".app-paper-item").querySelector("[data-key-note]");
    if (note) note.remove();
  }

  boxes.forEach((box, index) => {
    const codes = box.dataset.codes.split(",");
    const multi = box.hasAttribute("data-multi");
    const number = index + 1;
    box.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const key = event.key;
      if (key === "-" || key === " ") {
        event.preventDefault();
        clear(box);
        box.value = "-";
        go(index + 1);
      } else if (key === "Enter") {
        event.preventDefault();
        go(index + 1);
      } else if (key === "Backspace" && box.value === "" && index > 0) {
        event.preventDefault();
        go(index - 1);
      } else if (!multi && /^[0-9]$/.test(key)) {
        event.preventDefault();
        if (codes.includes(key)) {
          clear(box);
          box.value = key;
          go(index + 1);
        } else {
          say(box, `${key} is not an answer to question ${number}: press ${codes.join(", ")}, or - if it was left blank.`);
        }
      } else if (key.length === 1 && !/^[0-9]$/.test(key)) {
        event.preventDefault(); // only numbers, "-" and Space mean anything here
      }
    });
  });
})();
