// Quality control (issue 18). An evaluator (or a supervisor, an admin) lists a week's samples, draws
// them, opens one: the recording (fetched with the token as a Blob, so seeking works), the incident
// and its timeline beside it, the automatic signals (answer time, hold time, time to dispatch), a
// yes / no / n.a. and a comment per rubric element, then submits. The report view shows compliance
// per call taker and per element with the server's chart (matplotlib PNG). A call taker sees "my
// evaluations" and acknowledges or disputes each with a comment.
import { api, ApiError } from "../api.js";
import { clear, h } from "../dom.js";
import { addText, lang, t } from "../i18n.js";
import { duration, stamp } from "../time.js";

addText({
  id: {
    "qc.samples": "Sampel", "qc.report": "Laporan", "qc.week": "Minggu (ISO)", "qc.load": "Tampilkan",
    "qc.draw": "Ambil sampel minggu ini", "qc.not_drawn": "Sampel minggu ini belum diambil.",
    "qc.seed": "Seed", "qc.shortfall": "Kekurangan", "qc.open": "Buka", "qc.evaluated": "Sudah dinilai",
    "qc.pending": "Belum dinilai", "qc.swapped": "Diganti", "qc.call": "Panggilan", "qc.compliance": "Kepatuhan",
    "qc.play": "Putar rekaman", "qc.back10": "−10 d", "qc.fwd10": "+10 d", "qc.signals": "Sinyal otomatis",
    "qc.answer": "Waktu jawab", "qc.hold": "Waktu tunggu", "qc.ring": "Waktu dering", "qc.talk": "Lama bicara",
    "qc.dispatch": "Waktu ke pengiriman", "qc.target": "target", "qc.incident": "Insiden", "qc.timeline": "Riwayat",
    "qc.yes": "Ya", "qc.no": "Tidak", "qc.na": "T/B", "qc.comment": "Komentar", "qc.overall": "Komentar umum",
    "qc.submit": "Kirim penilaian", "qc.submitted": "Penilaian tersimpan; kepatuhan",
    "qc.swap": "Ganti sampel", "qc.swap_reason": "Alasan penggantian", "qc.none": "Tidak ada.",
    "qc.mine": "Penilaian saya", "qc.ack": "Terima", "qc.dispute": "Sanggah", "qc.responses": "Tanggapan",
    "qc.evaluator": "Penilai", "qc.from": "Dari minggu", "qc.to": "Sampai minggu", "qc.takers": "Per petugas",
    "qc.elements": "Per unsur", "qc.missed": "Paling sering terlewat", "qc.csv": "Unduh CSV",
    "qc.html": "Unduh HTML", "qc.element": "Unsur", "qc.version": "Versi", "qc.trend": "Tren",
    "qc.rubric_v": "Rubrik versi",
  },
  en: {
    "qc.samples": "Samples", "qc.report": "Report", "qc.week": "Week (ISO)", "qc.load": "Show",
    "qc.draw": "Draw this week's samples", "qc.not_drawn": "This week's samples have not been drawn yet.",
    "qc.seed": "Seed", "qc.shortfall": "Shortfall", "qc.open": "Open", "qc.evaluated": "Evaluated",
    "qc.pending": "Not evaluated", "qc.swapped": "Swapped", "qc.call": "Call", "qc.compliance": "Compliance",
    "qc.play": "Play recording", "qc.back10": "−10 s", "qc.fwd10": "+10 s", "qc.signals": "Automatic signals",
    "qc.answer": "Answer time", "qc.hold": "Hold time", "qc.ring": "Ring time", "qc.talk": "Talk time",
    "qc.dispatch": "Time to dispatch", "qc.target": "target", "qc.incident": "Incident", "qc.timeline": "Timeline",
    "qc.yes": "Yes", "qc.no": "No", "qc.na": "N/A", "qc.comment": "Comment", "qc.overall": "Overall comment",
    "qc.submit": "Submit evaluation", "qc.submitted": "Evaluation stored; compliance",
    "qc.swap": "Swap sample", "qc.swap_reason": "Reason for the swap", "qc.none": "None.",
    "qc.mine": "My evaluations", "qc.ack": "Acknowledge", "qc.dispute": "Dispute", "qc.responses": "Responses",
    "qc.evaluator": "Evaluator", "qc.from": "From week", "qc.to": "To week", "qc.takers": "Per call taker",
    "qc.elements": "Per element", "qc.missed": "Most often missed", "qc.csv": "Download CSV",
    "qc.html": "Download HTML", "qc.element": "Element", "qc.version": "Version", "qc.trend": "Trend",
    "qc.rubric_v": "Rubric version",
  },
});

const pct = (v) => (typeof v === "number" ? `${(v * 100).toFixed(1)}%` : "—");
const secs = (v) => (typeof v === "number" ? duration(v) : "—");
const title = (e) => (lang() === "id" ? e.title_id : e.title_en);

function errorText(exc) {
  if (!(exc instanceof ApiError)) return String(exc);
  const fields = exc.fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  return `${lang() === "id" && exc.messageId ? exc.messageId : exc.message}${fields ? ` (${fields})` : ""}`;
}

export function mount(ctx, el) {
  const urls = [];
  const blobUrl = async (path) => {
    const url = URL.createObjectURL(await (await api.raw(path)).blob());
    urls.push(url);
    return url;
  };
  const view = ctx.me.role === "call_taker" ? myEvaluations(el) : evaluatorView(ctx, el, blobUrl);
  return { refresh: view.refresh, onNotice() {}, unmount() { for (const url of urls) URL.revokeObjectURL(url); } };
}

// --- the call taker's own evaluations ---------------------------------------------------------------

function myEvaluations(el) {
  const list = h("div", { id: "qc-mine" });
  clear(el, h("h2", {}, t("qc.mine")), h("div", { class: "card" }, list));

  async function refresh() {
    const rows = await api.get("/api/qc/evaluations");
    if (!rows.length) return clear(list, h("p", {}, t("qc.none")));
    clear(list, ...await Promise.all(rows.map(async (row) => card(await api.get(`/api/qc/evaluations/${row.id}`)))));
  }

  function card(ev) {
    const comment = h("input", { class: "qc-response-comment", placeholder: t("qc.comment") });
    const message = h("p", { class: "notice", role: "status" });
    const respond = (kind) => async () => {
      try {
        await api.post(`/api/qc/evaluations/${ev.id}/response`, { kind, comment: comment.value });
        await refresh();
      } catch (exc) { message.textContent = errorText(exc); }
    };
    const titles = Object.fromEntries(ev.rubric.elements.map((e) => [e.key, title(e)]));
    return h("div", { class: "card qc-evaluation", "data-evaluation": ev.id },
      h("h3", {}, `${ev.week} · ${t("qc.compliance")} ${pct(ev.compliance)}`),
      h("p", {}, `${t("qc.evaluator")}: ${ev.evaluator} · ${stamp(ev.submitted_at)} · ${t("qc.version")} ${ev.version}`),
      h("table", {}, h("tbody", {}, Object.entries(ev.scores).map(([key, s]) =>
        h("tr", { class: `qc-score-${s.score}` }, h("td", {}, titles[key] || key), h("td", {}, t(`qc.${s.score}`)),
          h("td", {}, s.comment || ""))))),
      ev.comment ? h("p", {}, ev.comment) : null,
      h("h4", {}, t("qc.responses")),
      h("ul", { class: "qc-responses" }, ev.responses.map((r) =>
        h("li", {}, `${r.kind === "disputed" ? t("qc.dispute") : t("qc.ack")} · ${stamp(r.at)} ${r.comment}`))),
      h("div", { class: "qc-respond" }, comment,
        h("button", { type: "button", class: "qc-ack", onclick: respond("acknowledged") }, t("qc.ack")),
        h("button", { type: "button", class: "qc-dispute", onclick: respond("disputed") }, t("qc.dispute"))),
      message);
  }
  return { refresh };
}

// --- the evaluator's samples, scoring and report ------------------------------------------------------

function evaluatorView(ctx, el, blobUrl) {
  const canScore = ["qc_evaluator", "admin"].includes(ctx.me.role);
  const week = h("input", { id: "qc-week", placeholder: "2026-W49", pattern: "\\d{4}-W\\d{2}", size: 9 });
  const body = h("div", { id: "qc-body" });
  const tabs = h("div", { class: "qc-tabs" },
    h("button", { type: "button", id: "qc-tab-samples", onclick: () => samples() }, t("qc.samples")),
    h("button", { type: "button", id: "qc-tab-report", onclick: () => report() }, t("qc.report")));
  clear(el, h("h2", {}, t("nav.qc")), tabs, body);

  async function samples() {
    const q = week.value.trim() ? `?week=${encodeURIComponent(week.value.trim())}` : "";
    const message = h("p", { class: "error", role: "alert", id: "qc-message" });
    let data;
    try { data = await api.get(`/api/qc/samples${q}`); } catch (exc) { message.textContent = errorText(exc); }
    const form = h("form", { class: "filters card", id: "qc-week-form" },
      h("div", {}, h("label", { for: "qc-week" }, t("qc.week")), week),
      h("button", { type: "submit", class: "primary" }, t("qc.load")),
      canScore ? h("button", { type: "button", id: "qc-draw", onclick: draw }, t("qc.draw")) : null, message);
    form.addEventListener("submit", (e) => { e.preventDefault(); samples(); });
    if (!data) return clear(body, form);
    if (!week.value) week.value = data.week;
    const info = data.drawn
      ? h("p", { id: "qc-run" }, `${data.week} · ${t("qc.seed")} ${data.seed}` + (Object.keys(data.shortfall).length
        ? ` · ${t("qc.shortfall")}: ${Object.entries(data.shortfall).map(([s, n]) => `${s} −${n}`).join(", ")}` : ""))
      : h("p", { id: "qc-run" }, t("qc.not_drawn"));
    const table = h("table", { id: "qc-samples" },
      h("thead", {}, h("tr", {}, ["col.seat", "qc.call", "col.status", "qc.compliance", ""].map((k) => h("th", {}, k ? t(k) : "")))),
      h("tbody", {}, data.samples.map((s) => h("tr", { "data-sample": s.id, class: `qc-${s.status}` },
        h("td", {}, s.seat_id), h("td", {}, s.call_id),
        h("td", {}, s.status === "swapped" ? t("qc.swapped") : s.evaluated ? t("qc.evaluated") : t("qc.pending")),
        h("td", {}, pct(s.compliance)),
        h("td", {}, s.status === "swapped" ? "" : h("button", { type: "button", class: "small qc-open",
                                                                 onclick: () => openSample(s.id) }, t("qc.open")))))));
    clear(body, form, h("div", { class: "card" }, info, table));

    async function draw() {
      try {
        await api.post("/api/qc/samples", week.value.trim() ? { week: week.value.trim() } : {});
        await samples();
      } catch (exc) { message.textContent = errorText(exc); }
    }
  }

  async function openSample(id) {
    const d = await api.get(`/api/qc/samples/${id}`);
    const slot = h("div", { class: "qc-player" });
    const playButton = h("button", { type: "button", id: "qc-play", onclick: play }, `▶ ${t("qc.play")}`);
    async function play() {
      const audio = h("audio", { controls: true, id: "qc-audio", class: "player", src: await blobUrl(d.sample.audio_url) });
      const seek = (delta) => () => { audio.currentTime = Math.max(0, Math.min(audio.duration || 0, audio.currentTime + delta)); };
      clear(slot, audio, h("button", { type: "button", id: "qc-back", onclick: seek(-10) }, t("qc.back10")),
        h("button", { type: "button", id: "qc-fwd", onclick: seek(10) }, t("qc.fwd10")));
      audio.play().catch(() => {});
    }
    const sig = d.signals || {};
    const signals = h("dl", { id: "qc-signals", class: "qc-signals" },
      h("dt", {}, t("qc.answer")), h("dd", { id: "qc-answer" }, `${secs(sig.answer_s)} (${t("qc.target")} ${secs(sig.answer_target_s)})`),
      h("dt", {}, t("qc.hold")), h("dd", { id: "qc-hold" }, secs(sig.hold_s)),
      h("dt", {}, t("qc.ring")), h("dd", {}, secs(sig.ring_s)),
      h("dt", {}, t("qc.talk")), h("dd", {}, secs(sig.talk_s)),
      h("dt", {}, t("qc.dispatch")), h("dd", { id: "qc-dispatch" }, secs(sig.dispatch_s)));
    const inc = d.incident;
    const incident = inc ? h("div", { id: "qc-incident" },
      h("h3", {}, `${t("qc.incident")} #${inc.id}`),
      h("p", {}, [inc.category, inc.status, inc.address, inc.description].filter(Boolean).join(" · ")),
      h("h4", {}, t("qc.timeline")),
      h("ol", { id: "qc-timeline" }, d.timeline.map((e) => h("li", {}, `${stamp(e.at)} ${e.kind} ${e.actor}`)))) : null;
    const current = d.evaluations[d.evaluations.length - 1];
    const side = h("div", { class: "qc-side card" },
      h("h3", {}, `${d.sample.seat_id} · ${d.sample.call_id}`), playButton, slot, h("h4", {}, t("qc.signals")), signals, incident);
    const main = current ? evaluated(current, d.rubric) : scoring(d, canScore);
    clear(body, h("div", { class: "qc-sample", id: "qc-sample", "data-sample": id }, side, main));
  }

  function evaluated(ev, rubric) {
    const titles = Object.fromEntries(rubric.elements.map((e) => [e.key, title(e)]));
    return h("div", { class: "card", id: "qc-result" },
      h("h3", {}, `${t("qc.compliance")} ${pct(ev.compliance)} · ${t("qc.version")} ${ev.version}`),
      h("table", {}, h("tbody", {}, Object.entries(ev.scores).map(([k, s]) =>
        h("tr", {}, h("td", {}, titles[k] || k), h("td", {}, t(`qc.${s.score}`)), h("td", {}, s.comment || ""))))));
  }

  function scoring(d, enabled) {
    const rows = d.rubric.elements.map((e) => {
      const choices = ["yes", "no", "na"].map((score) => h("label", { class: "qc-choice" },
        h("input", { type: "radio", name: `qc-${e.key}`, value: score, disabled: !enabled || (score === "na" && !e.na_allowed) }),
        t(`qc.${score}`)));
      return h("tr", { "data-element": e.key },
        h("td", { title: e.description }, title(e), h("small", {}, ` ×${e.weight}`)),
        h("td", {}, choices), h("td", {}, h("input", { class: "qc-comment", placeholder: t("qc.comment"), disabled: !enabled })));
    });
    const overall = h("textarea", { id: "qc-overall", rows: 2, placeholder: t("qc.overall"), disabled: !enabled });
    const message = h("p", { class: "error", role: "alert", id: "qc-error" });
    const reason = h("input", { id: "qc-swap-reason", placeholder: t("qc.swap_reason") });
    const form = h("form", { id: "qc-score-form", class: "card" },
      h("p", {}, `${t("qc.rubric_v")} ${d.rubric.version}`),
      h("table", { id: "qc-rubric" }, h("tbody", {}, rows)), overall,
      enabled ? h("button", { type: "submit", class: "primary", id: "qc-submit" }, t("qc.submit")) : null, message,
      enabled ? h("div", { class: "qc-swap" }, reason, h("button", { type: "button", id: "qc-swap", onclick: swap }, t("qc.swap"))) : null);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const scores = {};
      for (const row of form.querySelectorAll("tr[data-element]")) {
        const picked = row.querySelector("input[type=radio]:checked");
        if (picked) scores[row.dataset.element] = { score: picked.value, comment: row.querySelector(".qc-comment").value };
      }
      try {
        const ev = await api.post(`/api/qc/samples/${d.sample.id}/evaluations`, { scores, comment: overall.value });
        clear(form, h("p", { id: "qc-done", class: "notice" }, `${t("qc.submitted")} ${pct(ev.compliance)}`));
      } catch (exc) { message.textContent = errorText(exc); }
    });
    async function swap() {
      try {
        const answer = await api.post(`/api/qc/samples/${d.sample.id}/swap`, { reason: reason.value });
        if (answer.replacement) await openSample(answer.replacement.id); else await samples();
      } catch (exc) { message.textContent = errorText(exc); }
    }
    return form;
  }

  async function report() {
    const from = h("input", { id: "qc-from", value: week.value, size: 9, placeholder: "2026-W45" });
    const to = h("input", { id: "qc-to", value: week.value, size: 9, placeholder: "2026-W49" });
    const out = h("div", { id: "qc-report" });
    const form = h("form", { class: "filters card", id: "qc-report-form" },
      h("div", {}, h("label", { for: "qc-from" }, t("qc.from")), from),
      h("div", {}, h("label", { for: "qc-to" }, t("qc.to")), to),
      h("button", { type: "submit", class: "primary" }, t("qc.load")));
    form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
    clear(body, form, out);
    const query = () => {
      const q = new URLSearchParams();
      if (from.value.trim()) q.set("from", from.value.trim());
      if (to.value.trim()) q.set("to", to.value.trim());
      return q;
    };
    async function download(format) {
      const q = query();
      q.set("format", format);
      const link = h("a", { href: await blobUrl(`/api/qc/report?${q}`), download: `qc-report.${format}` });
      document.body.append(link);
      link.click();
      link.remove();
    }
    async function load() {
      let r;
      try { r = await api.get(`/api/qc/report?${query()}`); } catch (exc) { return clear(out, h("p", { class: "error" }, errorText(exc))); }
      const q = query();
      q.set("format", "png");
      const chart = h("img", { id: "qc-chart", alt: t("qc.report"), src: await blobUrl(`/api/qc/report?${q}`) });
      clear(out, h("div", { class: "card" },
        h("p", { id: "qc-overall-compliance" }, `${r.from}–${r.to} · ${t("qc.compliance")} ${pct(r.overall.compliance)} (${r.overall.evaluations})`),
        chart,
        h("p", {}, h("button", { type: "button", onclick: () => download("csv") }, t("qc.csv")), " ",
          h("button", { type: "button", onclick: () => download("html") }, t("qc.html")))),
      h("div", { class: "card" }, h("h3", {}, t("qc.takers")), h("table", { id: "qc-takers" },
        h("thead", {}, h("tr", {}, ["col.seat", "qc.compliance", "qc.trend", "qc.missed"].map((k) => h("th", {}, t(k))))),
        h("tbody", {}, r.takers.map((x) => h("tr", { "data-seat": x.seat_id }, h("td", {}, x.seat_id), h("td", {}, pct(x.compliance)),
          h("td", {}, x.trend.map((p) => pct(p.compliance)).join(" → ")), h("td", {}, x.missed.slice(0, 3).map((m) => m.key).join(", "))))))),
      h("div", { class: "card" }, h("h3", {}, t("qc.elements")), h("table", { id: "qc-elements" },
        h("thead", {}, h("tr", {}, ["qc.element", "qc.yes", "qc.no", "qc.na", "qc.compliance"].map((k) => h("th", {}, t(k))))),
        h("tbody", {}, r.elements.map((x) => h("tr", { "data-element": x.key }, h("td", {}, lang() === "id" ? x.title_id : x.title_en),
          h("td", {}, x.yes), h("td", {}, x.no), h("td", {}, x.na), h("td", {}, pct(x.compliance))))))));
    }
    if (from.value) await load();
  }

  return { refresh: samples };
}
