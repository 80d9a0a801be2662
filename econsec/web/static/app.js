// econsec web pages: small progressive enhancements (the pages work without script).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A select marked data-autosubmit submits its form when changed (the button stays for
  // keyboard users who prefer it).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
});
