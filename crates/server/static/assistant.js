// The case-writing assistant: as the customer types or chooses a severity, ask the
// server for advice (the rules live in crates/core/src/assistant.rs, so there is one
// implementation) and show each piece under the field it is about.
(function () {
  const form = document.querySelector("form[data-assistant]");
  if (!form) return;
  const csrf = form.querySelector("input[name=csrf]").value;
  let timer;
  async function check() {
    const chosen = form.querySelector("input[name=severity]:checked");
    const body = new URLSearchParams({
      csrf,
      subject: form.querySelector("#subject").value,
      body: form.querySelector("#body").value,
      severity: chosen ? chosen.value : "",
    });
    const r = await fetch("/console/assistant", { method: "POST", body });
    if (!r.ok) return;
    const { hints } = await r.json();
    for (const list of form.querySelectorAll("ul.hints")) {
      list.replaceChildren(...hints.filter((h) => h.field === list.dataset.for).map((h) => {
        const li = document.createElement("li");
        li.dataset.code = h.code;
        li.textContent = h.message;
        return li;
      }));
    }
  }
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 50);
  });
})();
