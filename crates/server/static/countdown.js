// Live SLA countdowns: every <time class="countdown" datetime="..."> shows the time left
// until its instant (or how long it is overdue), updated every second, in the page's
// language (<html lang>).
(function () {
  const ja = document.documentElement.lang === "ja";
  function text(ms) {
    const s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (ja) {
      const part = d > 0 ? `${d}日${h}時間` : h > 0 ? `${h}時間${m}分` : `${m}分${s % 60}秒`;
      return ms >= 0 ? `残り ${part}` : `${part}超過`;
    }
    const part = d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
    return ms >= 0 ? `in ${part}` : `overdue by ${part}`;
  }
  function tick() {
    for (const el of document.querySelectorAll("time.countdown")) {
      const ms = Date.parse(el.getAttribute("datetime")) - Date.now();
      el.textContent = text(ms);
      el.classList.toggle("overdue", ms < 0);
    }
  }
  tick();
  setInterval(tick, 1000);
})();
