// The verification queue by keyboard: the key shown beside an answer chooses it
// ("n" chooses No answer), Enter saves and moves straight on to the next item.
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
    const radio = radios.find((r) => r.dataset.key === key);
    if (radio) {
      event.preventDefault();
      radio.checked = true;
      radio.focus();
    }
  });
}
