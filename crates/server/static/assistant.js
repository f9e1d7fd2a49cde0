// The case-writing assistant: as the customer types, ask the server for advice on the
// subject and description and show it beside the form (the rules live in the server,
// crates/core/src/assistant.rs, so there is one implementation).
(function () {
  const form = document.querySelector("form[data-assistant]");
  if (!form) return;
  const out = document.getElementById("assistant");
  const csrf = form.querySelector("input[name=csrf]").value;
  let timer;
  async function check() {
    const body = new URLSearchParams({
      csrf,
      subject: form.querySelector("#subject").value,
      body: form.querySelector("#body").value,
    });
    const r = await fetch("/console/assistant", { method: "POST", body });
    if (!r.ok) return;
    const { hints } = await r.json();
    out.replaceChildren(...hints.map((h) => {
      const li = document.createElement("li");
      li.dataset.code = h.code;
      li.textContent = h.message;
      return li;
    }));
  }
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
})();
