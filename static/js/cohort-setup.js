// Cohort set-up pages: suggests slugs and keys as the name is typed, shows only the fields the
// chosen question type uses, and drops the "show the fields for this choice" buttons that only
// a browser without JavaScript needs (htmx swaps those parts in place instead).
(function () {
  "use strict";

  function slugify(text, separator, max) {
    var slug = text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, separator);
    var trim = new RegExp("^[-_]+|[-_]+$", "g");
    return slug.replace(trim, "").slice(0, max).replace(trim, "");
  }

  function suggestSlugs() {
    document.querySelectorAll("input[data-slug-from]").forEach(function (input) {
      var source = document.getElementById(input.getAttribute("data-slug-from"));
      if (!source) return;
      var separator = input.getAttribute("data-slug-separator") || "-";
      var max = parseInt(input.getAttribute("data-slug-max") || "50", 10);
      // A slug already there (an existing cohort, or one typed by hand) is left alone.
      var edited = input.value !== "";
      input.addEventListener("input", function () { edited = input.value !== ""; });
      source.addEventListener("input", function () {
        if (!edited) input.value = slugify(source.value, separator, max);
      });
    });
  }

  function followQuestionType() {
    var select = document.querySelector("select[data-question-type]");
    if (!select) return;
    var update = function () {
      select.form.querySelectorAll("[data-types]").forEach(function (part) {
        var types = part.getAttribute("data-types").split(" ");
        part.classList.toggle("d-none", types.indexOf(select.value) === -1);
      });
    };
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-refresh-button]").forEach(function (button) {
      button.remove();
    });
    // The preview of the application form submits nowhere, not even on Enter.
    document.querySelectorAll("form[data-preview]").forEach(function (form) {
      form.addEventListener("submit", function (event) { event.preventDefault(); });
    });
    suggestSlugs();
    followQuestionType();
  });
})();
