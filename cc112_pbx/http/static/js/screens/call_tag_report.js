// Issue 19: the centre's report of prank, abusive, accidental (ghost) and silent calls: by tag, by day
// and by hour in the centre's time zone, by number, and the numbers flagged for repeated pranks
// (`GET /api/reports/call-tags`). The window defaults to the last 7 days.
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { t, word } from "../i18n.js";
import { dayStart, isoWithOffset, stamp } from "../time.js";

const TAGS = ["prank", "abusive", "ghost", "silent"];

function bar(width) {  // set through the CSSOM: the strict CSP refuses style attributes
  const el = h("span", { class: "rep-bar" });
  el.style.width = `${width}px`;
  return el;
}

export function mount(ctx, el) {
  const from = h("input", { id: "rep-from", type: "date" });
  const to = h("input", { id: "rep-to", type: "date" });
  const out = h("div", { id: "rep-out" });
  const form = h("form", { class: "filters card" },
    h("div", {}, h("label", { for: "rep-from" }, t("inc.from")), from),
    h("div", {}, h("label", { for: "rep-to" }, t("inc.to")), to),
    h("button", { type: "submit", class: "primary" }, t("inc.search")));
  form.addEventListener("submit", (e) => { e.preventDefault(); load().catch((exc) => clear(out, h("p", { class: "error" }, exc.message))); });
  clear(el, h("h2", {}, t("rep.title")), form, out);

  const table = (id, head, rows) => h("table", { id }, h("thead", {}, h("tr", {}, head.map((x) => h("th", {}, x)))),
    h("tbody", {}, rows));
  const counts = (row) => TAGS.map((tag) => h("td", { "data-tag": tag }, row[tag]));

  async function load() {
    const q = new URLSearchParams();
    if (from.value) q.set("from", dayStart(from.value));
    if (to.value) q.set("to", dayStart(to.value));
    else if (from.value) q.set("to", isoWithOffset(new Date()));
    const r = await api.get(`/api/reports/call-tags?${q}`);
    const heads = TAGS.map((tag) => word(tag));
    const most = Math.max(1, ...r.by_hour.map((x) => x.total));
    clear(out, h("p", { class: "muted", id: "rep-window" }, `${stamp(r.from)} – ${stamp(r.to)} (${r.time_zone})`),
      r.total ? h("div", { class: "rep-grid" },
        h("div", { class: "card" }, h("h3", {}, t("rep.by_tag")), table("rep-by-tag", [t("col.total"), ...heads],
          h("tr", {}, h("td", { id: "rep-total" }, r.total), counts(r.by_tag)))),
        h("div", { class: "card" }, h("h3", {}, t("rep.flagged")), r.flagged_numbers.length
          ? table("rep-flagged", [t("col.number"), t("col.pranks"), t("col.last")], r.flagged_numbers.map((f) =>
            h("tr", {}, h("td", {}, h("span", { class: "flag flag-prank" }, t("flag.prank")), " ", f.number),
              h("td", {}, f.pranks), h("td", {}, stamp(f.last_at)))))
          : h("p", { class: "muted" }, "—")),
        h("div", { class: "card" }, h("h3", {}, t("rep.by_day")), table("rep-by-day", [t("col.day"), t("col.total"), ...heads],
          r.by_day.map((d) => h("tr", { "data-day": d.day }, h("td", {}, d.day), h("td", {}, d.total), counts(d))))),
        h("div", { class: "card" }, h("h3", {}, t("rep.by_number")), table("rep-by-number", [t("col.number"), t("col.total"), ...heads],
          r.by_number.map((n) => h("tr", { "data-number": n.number }, h("td", {}, n.number), h("td", {}, n.total), counts(n))))),
        h("div", { class: "card" }, h("h3", {}, t("rep.by_hour")), table("rep-by-hour", [t("col.hour"), t("col.total"), ...heads, ""],
          r.by_hour.filter((x) => x.total).map((x) => h("tr", { "data-hour": x.hour },
            h("td", {}, `${String(x.hour).padStart(2, "0")}:00`), h("td", {}, x.total), counts(x),
            h("td", {}, bar(Math.round((x.total / most) * 120))))))))
        : h("p", { class: "muted card", id: "rep-none" }, t("rep.none")));
  }
  return { refresh: load, onNotice(n) { if (n.kind === "call_tagged") load().catch(() => {}); }, unmount() {} };
}
