// Seats (admins): list with live state, create, edit name / dial string / overflow, delete (refused
// by the API while the seat is on a call), and log any seat in or out, pause or unpause it.
import { api, ApiError } from "../api.js";
import { clear, debounce, h } from "../dom.js";
import { t } from "../i18n.js";

export function mount(ctx, el) {
  const list = h("div", { class: "card", id: "seat-admin" });
  const message = h("p", { class: "notice", id: "seat-notice", role: "status" });
  const fields = { id: h("input", { id: "ns-id", placeholder: "seat11" }), name: h("input", { id: "ns-name", placeholder: "Meja 11" }),
                   dial_string: h("input", { id: "ns-dial_string", placeholder: "PJSIP/seat11" }),
                   overflow: h("input", { id: "ns-overflow", type: "checkbox" }) };
  const form = h("form", { class: "card filters", id: "new-seat", novalidate: true },
    ...Object.entries(fields).map(([name, control]) => h("div", {}, h("label", { for: control.id }, t(`col.${name === "id" ? "seat" : name === "dial_string" ? "dial" : name}`)),
      control, h("span", { class: "field-error", id: `nserr-${name}` }))),
    h("button", { type: "submit", class: "primary" }, t("s.add")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    for (const n of Object.keys(fields)) el.querySelector(`#nserr-${n}`).textContent = "";
    try {
      await api.post("/api/seats", { id: fields.id.value.trim(), name: fields.name.value.trim(),
                                     dial_string: fields.dial_string.value.trim(), overflow: fields.overflow.checked });
      form.reset();
      await load();
    } catch (exc) { show(exc, "nserr-"); }
  });
  clear(el, h("h2", {}, t("s.title")), form, message, list);

  function show(exc, prefix) {
    message.className = "notice bad";
    message.textContent = exc.message;
    if (exc instanceof ApiError) for (const [f, m] of Object.entries(exc.byField())) {
      const slot = el.querySelector(`#${prefix}${f}`);
      if (slot) slot.textContent = m.join("; ");
    }
  }

  async function act(seat, path, body, method = "post") {
    try {
      message.textContent = "";
      await api[method](`/api/seats/${seat}${path}`, body);
      await load();
    } catch (exc) { show(exc, "x-"); }
  }

  async function load() {
    const seats = await api.get("/api/seats");
    clear(list, h("table", { id: "seat-admin-table" },
      h("thead", {}, h("tr", {}, ["col.seat", "col.name", "col.dial", "col.overflow", "col.state", ""].map((k) => h("th", {}, k ? t(k) : "")))),
      h("tbody", {}, seats.map((s) => {
        const name = h("input", { value: s.name, "aria-label": t("col.name") });
        const dial = h("input", { value: s.dial_string, "aria-label": t("col.dial") });
        const overflow = h("input", { type: "checkbox", checked: s.overflow, "aria-label": t("col.overflow") });
        return h("tr", { "data-seat": s.id }, h("td", {}, s.id), h("td", {}, name), h("td", {}, dial), h("td", {}, overflow),
          h("td", {}, h("span", { class: `chip state-${s.status}` }, t(`state.${s.status}`))),
          h("td", { class: "inline" },
            h("button", { type: "button", class: "small", onclick: () => act(s.id, "", { name: name.value, dial_string: dial.value, overflow: overflow.checked }, "patch") }, t("s.save")),
            h("button", { type: "button", class: "small", onclick: () => act(s.id, s.status === "logged_out" ? "/login" : "/logout") },
              s.status === "logged_out" ? t("seat.login") : t("seat.logout")),
            s.status === "paused" ? h("button", { type: "button", class: "small", onclick: () => act(s.id, "/unpause") }, t("seat.ready"))
              : h("button", { type: "button", class: "small", onclick: () => act(s.id, "/pause", { reason: "other" }) }, t("seat.pause")),
            h("button", { type: "button", class: "small", onclick: () => { if (confirm(`${t("s.confirm")} ${s.id}?`)) act(s.id, "", undefined, "del"); } }, t("s.delete"))));
      }))));
  }
  const later = debounce(() => load().catch(() => {}), 500);
  return { refresh: load, onNotice(n) { if (n.kind === "seat_state") later(); }, unmount() { later.cancel(); } };
}
