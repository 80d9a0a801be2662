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

// A running job's page polls its state (JSON, same site) and shows the progress; when the job
// ends the page is loaded again to show the outcome.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-job-state]");
  if (!box || box.getAttribute("data-done") === "true") {
    return;
  }
  var bar = document.getElementById("progress");
  var percent = box.querySelector("[data-field=percent]");
  var stage = box.querySelector("[data-field=stage]");
  function poll() {
    fetch(box.getAttribute("data-job-state"), { credentials: "same-origin" })
      .then(function (answer) { return answer.json(); })
      .then(function (state) {
        if (state.done) {
          window.location.reload();
          return;
        }
        bar.value = state.progress;
        percent.textContent = Math.round(state.progress * 100) + "%";
        stage.textContent = state.stage || "";
        window.setTimeout(poll, 500);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
});
