// Asks before an action that cannot be taken back: a form, or the button that submits it,
// with data-confirm="question" is sent only when the person agrees. Without scripts the
// action goes through as before.
document.addEventListener("submit", (event) => {
  const question = event.submitter?.dataset.confirm ?? event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
