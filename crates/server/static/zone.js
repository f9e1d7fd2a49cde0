// Time zones: until a person chooses one, every page offers the browser's zone when it
// differs from the one times are shown in; the settings page's zone list can be searched
// and offers the browser's zone with one click.
(function () {
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offer = document.getElementById("zone-offer");
  if (offer && browserZone && browserZone !== offer.dataset.shown) {
    offer.querySelector("input[name=timezone]").value = browserZone;
    const text = offer.querySelector("span[data-text]");
    text.textContent = text.dataset.text.replace("{0}", offer.dataset.shown).replace("{1}", browserZone) + " ";
    offer.hidden = false;
  }
  const select = document.getElementById("timezone");
  const filter = document.getElementById("zone-filter");
  if (select && filter) {
    filter.hidden = false;
    filter.addEventListener("input", function () {
      const words = filter.value.toLowerCase().replace(/_/g, " ").split(/\s+/).filter(Boolean);
      let first = null;
      for (const o of select.options) {
        const label = o.textContent.toLowerCase().replace(/_/g, " ");
        const hit = o.value === "" || words.every(function (w) { return label.includes(w); });
        o.hidden = !hit;
        if (hit && o.value !== "" && !first) first = o;
      }
      if (first && words.length) select.value = first.value;
    });
    const use = document.getElementById("use-browser-zone");
    if (use && browserZone && Array.from(select.options).some(function (o) { return o.value === browserZone; })) {
      use.textContent = (document.documentElement.lang === "ja" ? "ブラウザのタイムゾーン（" + browserZone + "）を使う" : "Use my browser's zone (" + browserZone + ")");
      use.hidden = false;
      use.addEventListener("click", function () { select.value = browserZone; });
    }
  }
})();
