// The verification queue by keyboard: the key shown beside an answer chooses it
// (the number printed beside the box on the paper; "n" chooses No answer), Enter
// saves and moves straight on to the next item. A number of more than one digit is
// typed digit by digit, as on typed paper entry: on a 0-10 question, 1 then 0
// chooses 10; a digit that cannot continue the number starts a new one (1, 0, 4
// chooses 4); Backspace takes the last digit back.
const form = document.querySelector("form[data-scan-check]");
if (form) {
  const radios = Array.from(form.querySelectorAll("input[type=radio]"));
  const start =
    radios.find((r) => r.checked) ||
    radios[0] ||
    form.querySelector("input[type=number], input[type=text]");
  // After an error the NHS.UK error summary takes focus (so it is read out first);
  // its link leads to the answers.
  if (start && !document.querySelector(".nhsuk-error-summary")) start.focus();
  const byKey = (key) => radios.find((r) => r.dataset.key === key);
  const begins = (typed) => radios.some((r) => r.dataset.key.startsWith(typed));
  let typed = "";
  const choose = (radio) => {
    radio.checked = true;
    radio.focus();
  };
  // Choosing with the mouse or the arrow keys starts a new number.
  radios.forEach((r) => r.addEventListener("click", () => { typed = ""; }));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Enter") {
      if (event.target.tagName === "A" || event.target.tagName === "BUTTON") return;
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.target.tagName === "INPUT" && event.target.type !== "radio") return;
    const key = event.key.toLowerCase();
    if (key === "backspace" && typed) {
      event.preventDefault();
      typed = typed.slice(0, -1);
      const radio = byKey(typed);
      if (radio) choose(radio);
      return;
    }
    if (key.length !== 1) return;
    if (!/^[0-9]$/.test(key)) {
      typed = "";
      const radio = byKey(key);
      if (radio) {
        event.preventDefault();
        choose(radio);
      }
      return;
    }
    event.preventDefault();
    // Continue the number being typed if that makes (the start of) an answer,
    // otherwise start again from this digit.
    for (const candidate of [typed + key, key]) {
      if (begins(candidate)) {
        typed = candidate;
        const radio = byKey(candidate);
        if (radio) choose(radio);
        return;
      }
    }
    typed = "";
  });
}
