// Live updates: the page listens to /console/events and, when a case it shows changes,
// fetches itself again and swaps in the fresh copy of each element marked
// data-live-case (a case id, or "*" for any case). Forms are never inside such an
// element, so nothing being typed is lost. Engineers who allow it get a browser
// notification for a new case of a plan's two highest severities and for a breach, and
// the tab's title counts them while the page is in the background.
(function () {
  if (!window.EventSource) return;
  const ja = document.documentElement.lang === "ja";
  const staff = document.currentScript && document.currentScript.dataset.staff === "1";
  const title = document.title;
  let unseen = 0;
  let queued = null;

  function marked() {
    return Array.from(document.querySelectorAll("[data-live-case]"));
  }

  function refresh() {
    if (queued) return;
    queued = setTimeout(async function () {
      queued = null;
      const r = await fetch(location.href, { credentials: "same-origin" });
      if (!r.ok) return;
      const fresh = new DOMParser().parseFromString(await r.text(), "text/html");
      for (const el of marked()) {
        const next = el.id && fresh.getElementById(el.id);
        if (next) el.replaceWith(document.importNode(next, true));
      }
      document.documentElement.dataset.liveRefreshed = String(Date.now());
    }, 250);
  }

  function badge() {
    document.title = unseen > 0 ? "(" + unseen + ") " + title : title;
  }
  function seen() {
    if (!document.hidden) {
      unseen = 0;
      badge();
    }
  }
  document.addEventListener("visibilitychange", seen);
  window.addEventListener("focus", seen);

  function alarm(c) {
    if (document.hidden || !document.hasFocus()) {
      unseen += 1;
      badge();
    }
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const head = c.kind === "sla.breach"
      ? (ja ? "SLA 違反" : "SLA breached")
      : (ja ? "緊急度の高い新しいケース" : "New high-severity case");
    const n = new Notification(head, { body: c.case, tag: c.kind + ":" + c.case });
    n.onclick = function () {
      window.focus();
      location.href = "/console/queue/" + encodeURIComponent(c.case);
    };
  }

  // Engineers are offered notifications once, with a button (browsers ask only after a
  // click).
  const ask = document.getElementById("notify");
  if (staff && ask && "Notification" in window && Notification.permission === "default") {
    ask.hidden = false;
    ask.addEventListener("click", function () {
      Notification.requestPermission().then(function () { ask.hidden = true; });
    });
  }

  const events = new EventSource("/console/events");
  events.addEventListener("case", function (m) {
    const c = JSON.parse(m.data);
    if (marked().some(function (el) { return el.dataset.liveCase === "*" || el.dataset.liveCase === c.case; })) {
      refresh();
    }
    if (staff && c.alert) alarm(c);
  });
  events.addEventListener("resync", refresh);
})();
