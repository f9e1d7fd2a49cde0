// Asks before an action that cannot be taken back: a form, or the button that submits it,
// with data-confirm="question" is sent only when the person agrees. Without scripts the
// action goes through as before.
document.addEventListener("submit", (event) => {
  // A status form asks only when the status chosen is "resolved".
  const resolving = event.target.dataset.confirmResolve &&
    event.target.querySelector("select[name=status]")?.value === "resolved";
  const question = event.submitter?.dataset.confirm ?? event.target.dataset.confirm ??
    (resolving ? event.target.dataset.confirmResolve : undefined);
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
