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

// A form that uploads a file shows how much of it has been sent (a progress bar under the
// form), then follows the answer as the browser would: to the page it redirects to, or the
// error page it returns. Without script the form posts as usual.
document.addEventListener("DOMContentLoaded", function () {
  var label = document.body.getAttribute("data-uploading") || "Uploading";
  document.querySelectorAll("form[enctype='multipart/form-data']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) {
        return;
      }
      event.preventDefault();
      var bar = form.querySelector("progress.upload");
      if (!bar) {
        bar = document.createElement("progress");
        bar.className = "upload";
        bar.max = 1;
        bar.value = 0;
        bar.setAttribute("aria-label", label);
        form.appendChild(bar);
      }
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          bar.value = progress.loaded / progress.total;
        }
      });
      request.addEventListener("load", function () {
        if (request.status < 400 && request.responseURL) {
          window.location.assign(request.responseURL);
          return;
        }
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        document.title = page.title;
        document.body.replaceWith(document.adoptNode(page.body));
      });
      request.addEventListener("error", function () { form.submit(); });
      request.send(new FormData(form));
    });
  });
});
