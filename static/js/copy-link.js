// "Copy the link" buttons: data-copy-target names the input whose value is copied.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy-target]");
  if (!button) {
    return;
  }
  var input = document.getElementById(button.getAttribute("data-copy-target"));
  if (!input) {
    return;
  }
  var done = function () {
    // Keep the button's own label once, so a second click within 2 s does not restore "Copied".
    if (!button.hasAttribute("data-copy-label")) {
      button.setAttribute("data-copy-label", button.textContent);
    }
    var label = button.getAttribute("data-copy-label");
    button.textContent = button.getAttribute("data-copied") || label;
    window.clearTimeout(button.copyLinkTimer);
    button.copyLinkTimer = window.setTimeout(function () {
      button.textContent = label;
      button.removeAttribute("data-copy-label");
    }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () {
      input.select();
    });
  } else {
    input.select();
    if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  }
});
