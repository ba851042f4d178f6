// The queue configuration: the form (every 422 error beside its field; nothing changes then), and
// the version history with who/when and the diff with the version before. Supervisors read only.
import { api, ApiError } from "../api.js";
import { clear, h, options } from "../dom.js";
import { t, word } from "../i18n.js";
import { stamp } from "../time.js";

const NUMBERS = ["ring_timeout", "wrapup_time", "auto_pause_after_missed", "overflow_after"];
const STRATEGIES = ["longest_idle", "round_robin", "fewest_calls"];

export function mount(ctx, el) {
  const admin = ctx.me.role === "admin";
  const formCard = h("div", { class: "card", id: "queue-config" });
  const historyCard = h("div", { class: "card", id: "queue-history" });
  clear(el, h("div", { class: "split" }, formCard, historyCard));
  const inputs = {};

  function field(name, control) {
    control.id = `q-${name}`;
    control.name = name;
    control.disabled = !admin;
    inputs[name] = control;
    return h("div", { class: "field" }, h("label", { for: control.id }, t(`q.${name}`)), control,
             h("span", { class: "field-error", id: `qerr-${name}`, role: "alert" }));
  }

  function renderForm(current) {
    const form = h("form", { id: "queue-form", novalidate: true },
      h("div", { class: "form-grid" },
        field("strategy", h("select", {}, options(STRATEGIES.map((s) => [s, word(s)]), current.settings.strategy))),
        ...NUMBERS.map((n) => field(n, h("input", { inputmode: "decimal", value: String(current.settings[n]) })))),
      admin ? h("button", { type: "submit", class: "primary", id: "queue-save" }, t("q.save")) : h("p", { class: "muted" }, t("q.readonly")),
      h("p", { class: "notice", id: "queue-notice", role: "status" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = { strategy: inputs.strategy.value };
      for (const n of NUMBERS) {
        const text = inputs[n].value.trim();
        body[n] = text !== "" && Number.isFinite(Number(text)) ? Number(text) : text;  // the server names what is wrong
      }
      const notice = el.querySelector("#queue-notice");
      showErrors({});
      try {
        const saved = await api.put("/api/queue-config", body);
        notice.className = "notice ok";
        notice.textContent = `${t("q.saved")} ${saved.version}`;
        await loadHistory();
      } catch (exc) {
        notice.className = "notice bad";
        notice.textContent = exc instanceof ApiError && exc.status === 422 ? t("q.invalid") : exc.message;
        if (exc instanceof ApiError) showErrors(exc.byField());
      }
    });
    clear(formCard, h("h2", {}, `${t("q.title")} · v${current.version} (${current.author}, ${stamp(current.created_at)})`), form);
  }

  function showErrors(byField) {
    for (const name of ["strategy", ...NUMBERS]) {
      el.querySelector(`#qerr-${name}`).textContent = (byField[name] || []).join("; ");
      inputs[name].setAttribute("aria-invalid", byField[name] ? "true" : "false");
    }
  }

  async function loadHistory() {
    const versions = await api.get("/api/queue-config/history");
    const diffSlot = h("div", { id: "queue-diff" });
    clear(historyCard, h("h2", {}, t("q.history")),
      h("table", { id: "history-table" }, h("thead", {}, h("tr", {}, ["col.version", "col.author", "col.when", ""].map((k) => h("th", {}, k ? t(k) : "")))),
        h("tbody", {}, versions.map((v, i) => h("tr", { "data-version": v.version },
          h("td", {}, v.version, i === 0 ? ` (${t("q.current")})` : ""), h("td", {}, v.author), h("td", {}, stamp(v.created_at)),
          h("td", {}, v.version > 1 ? h("button", { type: "button", class: "small", onclick: () => showDiff(v.version - 1, v.version, diffSlot) },
                                        t("q.diff")) : ""))))),
      diffSlot);
  }

  async function showDiff(from, to, slot) {
    const diff = await api.get(`/api/queue-config/diff?from=${from}&to=${to}`);
    const rows = Object.entries(diff.changes);
    clear(slot, h("h3", {}, `v${from} → v${to}`), rows.length ? h("table", { id: "diff-table" },
      h("tbody", {}, rows.map(([name, change]) => h("tr", {}, h("th", {}, t(`q.${name}`)),
        h("td", {}, String(change.from)), h("td", {}, "→"), h("td", {}, h("strong", {}, String(change.to)))))))
      : h("p", { class: "muted" }, "—"));
  }

  return {
    async refresh() {
      const current = await api.get("/api/queue-config");
      renderForm(current);
      await loadHistory();
    },
    onNotice() {},
    unmount() {},
  };
}
