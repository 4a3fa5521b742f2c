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

  boxes.forEach((box, index) => {
    const codes = box.dataset.codes.split(",");
    const multi = box.hasAttribute("data-multi");
    box.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const key = event.key;
      if (key === "-" || key === " ") {
        event.preventDefault();
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
          box.value = key;
          go(index + 1);
        }
      } else if (key.length === 1 && !/^[0-9]$/.test(key)) {
        event.preventDefault(); // only numbers, "-" and Space mean anything here
      }
    });
  });
})();
