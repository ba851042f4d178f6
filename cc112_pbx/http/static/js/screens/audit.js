// The audit log: who did what, when (newest first), filtered by action or actor.
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { t } from "../i18n.js";
import { stamp } from "../time.js";

export function mount(ctx, el) {
  const action = h("input", { id: "audit-action", placeholder: "queue_config.saved" });
  const actor = h("input", { id: "audit-actor" });
  const table = h("div", { id: "audit" });
  const form = h("form", { class: "filters card" },
    h("div", {}, h("label", { for: "audit-action" }, t("col.action")), action),
    h("div", {}, h("label", { for: "audit-actor" }, t("col.actor")), actor),
    h("button", { type: "submit", class: "primary" }, t("a.filter")));
  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  clear(el, h("h2", {}, t("a.title")), form, h("div", { class: "card" }, table));

  async function load() {
    const q = new URLSearchParams({ limit: "200" });
    if (action.value.trim()) q.set("action", action.value.trim());
    if (actor.value.trim()) q.set("actor", actor.value.trim());
    const rows = await api.get(`/api/audit?${q}`);
    clear(table, h("table", {}, h("thead", {}, h("tr", {}, ["col.time", "col.actor", "col.action", "col.details"].map((k) => h("th", {}, t(k))))),
      h("tbody", {}, rows.map((r) => h("tr", {}, h("td", {}, stamp(r.at)), h("td", {}, r.actor), h("td", {}, r.action),
        h("td", {}, h("code", {}, JSON.stringify(r.details))))))));
  }
  return { refresh: load, onNotice() {}, unmount() {} };
}
