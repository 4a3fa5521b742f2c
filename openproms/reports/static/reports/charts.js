// Renders every chart on the page from its Vega-Lite specification (inline JSON).
// Each chart has an accessible data table beside it, so nothing depends on this script.
(function () {
  function render() {
    if (typeof vegaEmbed === "undefined") return;
    document.querySelectorAll("script[type='application/json'][data-chart]").forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-chart"));
      if (!target || target.dataset.rendered) return;
      var spec = JSON.parse(node.textContent);
      // The Content-Security-Policy forbids eval and <style> elements: ast uses
      // Vega's bundled expression interpreter; defaultStyle and the tooltip's
      // disableDefaultStyle add no <style> (reports/vega-tooltip.css has its style).
      // A person's chart in their language carries its month names (charts.py
      // time_locale): vega-embed formats the axis with them.
      var locale = spec.usermeta && spec.usermeta.timeFormatLocale;
      vegaEmbed(target, spec, {
        timeFormatLocale: locale || undefined,
        actions: false,
        renderer: "svg",
        ast: true,
        defaultStyle: false,
        tooltip: { disableDefaultStyle: true },
      }).then(function (result) {
        target.dataset.rendered = "true";
        var svg = target.querySelector("svg");
        if (svg) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", target.getAttribute("data-label") || "Chart");
        }
      }).catch(function () {
        target.hidden = true; // the table beside it still shows the figures
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
  document.body && document.body.addEventListener("htmx:afterSwap", render);
})();
