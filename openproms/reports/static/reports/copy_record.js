// The clinician summary's "copy" button: copies the record text to the clipboard.
(function () {
  var button = document.getElementById("copy-record");
  var status = document.getElementById("copy-status");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var area = document.getElementById(button.getAttribute("data-copy"));
    function done() { status.textContent = "Copied to the clipboard."; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(area.value).then(done, function () {
        area.select(); document.execCommand("copy"); done();
      });
    } else {
      area.select(); document.execCommand("copy"); done();
    }
  });
})();
