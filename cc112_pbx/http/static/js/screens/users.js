// API users (admins): create (a call taker needs a seat), disable/enable, change the seat, issue a
// token (shown once, never stored by the console).
import { api, ApiError } from "../api.js";
import { clear, h, options } from "../dom.js";
import { t } from "../i18n.js";
import { stamp } from "../time.js";

const ROLES = ["call_taker", "supervisor", "admin", "qc_evaluator"];

export function mount(ctx, el) {
  const list = h("div", { class: "card", id: "user-admin" });
  const message = h("p", { class: "notice", id: "user-notice", role: "status" });
  const f = { username: h("input", { id: "nu-username", autocomplete: "off" }),
              role: h("select", { id: "nu-role" }, options(ROLES.map((r) => [r, t(`role.${r}`)]), "call_taker")),
              password: h("input", { id: "nu-password", type: "password", autocomplete: "new-password" }),
              seat: h("input", { id: "nu-seat", placeholder: "seat01" }) };
  const labels = { username: "col.user", role: "col.role", password: "login.password", seat: "u.seat" };
  const form = h("form", { class: "card filters", id: "new-user", novalidate: true },
    ...Object.entries(f).map(([n, c]) => h("div", {}, h("label", { for: c.id }, t(labels[n])), c, h("span", { class: "field-error", id: `nuerr-${n}` }))),
    h("button", { type: "submit", class: "primary" }, t("u.add")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    for (const n of Object.keys(f)) el.querySelector(`#nuerr-${n}`).textContent = "";
    try {
      await api.post("/api/users", { username: f.username.value.trim(), role: f.role.value, password: f.password.value,
                                     seat: f.seat.value.trim() || null });
      form.reset();
      await load();
    } catch (exc) {
      message.className = "notice bad";
      message.textContent = exc.message;
      if (exc instanceof ApiError) for (const [n, m] of Object.entries(exc.byField())) {
        const slot = el.querySelector(`#nuerr-${n}`);
        if (slot) slot.textContent = m.join("; ");
      }
    }
  });
  clear(el, h("h2", {}, t("u.title")), form, message, list);

  async function change(user, body) {
    try { await api.patch(`/api/users/${user.id}`, body); await load(); } catch (exc) { message.className = "notice bad"; message.textContent = exc.message; }
  }
  async function token(user) {
    try {
      const issued = await api.post(`/api/users/${user.id}/tokens`, { ttl: "12h", label: "console" });
      message.className = "notice ok";
      clear(message, `${t("u.token_shown")} `, h("code", { id: "issued-token" }, issued.token));
    } catch (exc) { message.className = "notice bad"; message.textContent = exc.message; }
  }

  async function load() {
    const users = await api.get("/api/users");
    clear(list, h("table", { id: "user-admin-table" },
      h("thead", {}, h("tr", {}, ["col.user", "col.role", "u.seat", "col.disabled", "col.opened", ""].map((k) => h("th", {}, k ? t(k) : "")))),
      h("tbody", {}, users.map((u) => {
        const seat = h("input", { value: u.seat_id || u.seat || "", "aria-label": t("u.seat"), size: 8 });
        return h("tr", { "data-user": u.username }, h("td", {}, u.username), h("td", {}, t(`role.${u.role}`)),
          h("td", { class: "inline" }, seat, h("button", { type: "button", class: "small", onclick: () => change(u, { seat: seat.value.trim() || null }) }, t("s.save"))),
          h("td", {}, u.disabled ? t("yes") : t("no")), h("td", {}, stamp(u.created_at)),
          h("td", { class: "inline" },
            h("button", { type: "button", class: "small", onclick: () => change(u, { disabled: !u.disabled }) }, u.disabled ? t("u.enable") : t("u.disable")),
            h("button", { type: "button", class: "small", onclick: () => token(u) }, t("u.token"))));
      }))));
  }
  return { refresh: load, onNotice() {}, unmount() {} };
}
