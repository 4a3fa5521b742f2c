// Starts the NHS.UK frontend components and puts focus on an error summary.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

initAll();

// A table wider than the screen scrolls inside its box: a shadow on the side
// with more to see says so, and a line above it names the way to scroll.
function markScroll(wrap) {
  // (A pixel or two over, a border's width, hides nothing worth scrolling to.)
  const more = wrap.scrollWidth - wrap.clientWidth > 8;
  wrap.classList.toggle("app-table-wrap--more-right",
    more && wrap.scrollLeft + wrap.clientWidth < wrap.scrollWidth - 1);
  wrap.classList.toggle("app-table-wrap--more-left", more && wrap.scrollLeft > 1);
  let hint = wrap.previousElementSibling;
  if (!hint || !hint.classList.contains("app-table-scroll-hint")) {
    hint = null;
  }
  if (more && !hint) {
    hint = document.createElement("p");
    hint.className = "app-table-scroll-hint nhsuk-body-s";
    hint.textContent = "The table is wider than the screen: scroll it sideways to see every column.";
    wrap.before(hint);
  } else if (!more && hint) {
    hint.remove();
  }
}

function markAll() {
  document.querySelectorAll(".app-table-wrap").forEach(markScroll);
}

document.querySelectorAll(".app-table-wrap").forEach((wrap) => {
  wrap.addEventListener("scroll", () => markScroll(wrap), { passive: true });
});
window.addEventListener("resize", markAll);
document.body.addEventListener("htmx:afterSettle", markAll);
markAll();
