// Attachments are checked as they are chosen, before anything is uploaded: a file over
// the size limit, or too many files, is named beside the field and the form is held back
// until the choice is fixed. The server checks again (a browser is no guard).
(function () {
  // Rounded up, so a file a byte over the limit does not read as the limit.
  function size(bytes) {
    const tenths = Math.ceil(bytes * 10 / (1024 * 1024));
    return tenths >= 10 ? (tenths / 10).toFixed(1) + " MB" : Math.ceil(bytes / 1024) + " KB";
  }
  for (const input of document.querySelectorAll("input[type=file][data-max-mb]")) {
    const out = input.parentElement.querySelector(".file-error");
    input.addEventListener("change", function () {
      const maxBytes = Number(input.dataset.maxMb) * 1024 * 1024;
      const files = Array.from(input.files);
      let problem = "";
      if (files.length > Number(input.dataset.maxFiles)) {
        problem = input.dataset.tooMany.replace("{0}", input.dataset.maxFiles);
      } else {
        const big = files.find(function (f) { return f.size > maxBytes; });
        if (big) {
          problem = input.dataset.tooBig.replace("{0}", big.name).replace("{1}", size(big.size))
            .replace("{2}", input.dataset.maxMb + " MB");
        }
      }
      input.setCustomValidity(problem);
      if (out) {
        out.textContent = problem;
        out.hidden = !problem;
      }
    });
  }
})();
