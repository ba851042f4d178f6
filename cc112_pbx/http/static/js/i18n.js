// UI text in Bahasa Indonesia and English. The default comes from the server's `[http] console_language`;
// a user's choice is remembered in localStorage ("cc112.lang", not a secret).
const TEXT = {
  id: {
    "app.title": "Call Center 112 Kota Semarang", "login.title": "Masuk", "login.username": "Nama pengguna",
    "login.password": "Kata sandi", "login.submit": "Masuk", "login.failed": "Gagal masuk",
    "logout": "Keluar", "loading": "Memuat…", "lang.other": "EN",
    "nav.calltaker": "Meja saya", "nav.wallboard": "Papan pantau", "nav.incidents": "Insiden",
    "nav.queue": "Antrean", "nav.seats": "Meja", "nav.users": "Pengguna", "nav.audit": "Log audit",
    "role.call_taker": "petugas", "role.supervisor": "supervisor", "role.admin": "admin",
    "role.qc_evaluator": "penilai mutu", "nav.qc": "Kendali mutu",
    "link.live": "LANGSUNG", "link.lost": "TERPUTUS", "link.connecting": "MENYAMBUNG…",
    "banner.lost": "Koneksi terputus — data di layar mungkin sudah usang. Menyambung ulang…",
    "banner.expired": "Sesi berakhir: silakan masuk lagi.",
    "seat.title": "Meja", "seat.none": "Akun ini tidak punya meja.", "seat.state": "Status",
    "seat.in_state": "sejak", "seat.login": "Masuk meja", "seat.logout": "Keluar meja",
    "seat.ready": "Siap", "seat.pause": "Jeda", "seat.reason": "Alasan jeda",
    "reason.break": "Istirahat", "reason.meal": "Makan", "reason.toilet": "Toilet", "reason.training": "Pelatihan",
    "reason.briefing": "Briefing", "reason.other": "Lainnya",
    "state.logged_out": "KELUAR", "state.available": "SIAP", "state.offered": "BERDERING", "state.on_call": "BICARA",
    "state.wrap_up": "MENYELESAIKAN", "state.paused": "JEDA", "state.unreachable": "TAK TERJANGKAU",
    "pop.ringing": "PANGGILAN MASUK", "pop.connected": "TERHUBUNG", "pop.ended": "PANGGILAN SELESAI",
    "pop.idle": "Tidak ada panggilan", "pop.caller": "Penelepon", "pop.no_callback":
      "tanpa nomor — tidak bisa dihubungi balik: tanyakan lokasi dulu",
    "pop.hint": "Kategori (dari nomor)", "pop.dialled": "Nomor yang dihubungi", "pop.repeat": "Penelepon berulang: insiden",
    "pop.incident": "Insiden", "pop.open": "Buka", "pop.callback_leg": "Panggilan balik",
    "form.title": "Insiden", "form.none": "Belum ada insiden dipilih. Pilih dari daftar atau tunggu panggilan.",
    "form.reporter_name": "Nama pelapor", "form.callback_number": "Nomor untuk dihubungi balik",
    "form.address": "Alamat / lokasi", "form.latitude": "Lintang", "form.longitude": "Bujur",
    "form.location_source": "Sumber lokasi", "form.map": "Pilih di peta", "form.category": "Kategori",
    "form.description": "Uraian kejadian", "form.verification": "Verifikasi", "form.priority": "Prioritas",
    "form.status": "Status", "form.move": "Ubah status ke", "form.final": "Status akhir: tidak bisa diubah lagi.",
    "form.saved": "Tersimpan", "form.saving": "Menyimpan…", "form.dirty": "Belum tersimpan (draf di browser)",
    "form.failed": "Belum tersimpan: periksa isian bertanda", "form.offline": "Belum tersimpan: koneksi terputus",
    "form.save": "Simpan", "form.pair": "isi lintang dan bujur bersama", "form.caller": "Nomor asal",
    "form.opened": "Dibuka", "form.recent": "Insiden saya", "form.reload": "Muat ulang",
    "map.no_tiles": "Tidak ada server peta (map_tile_url kosong): hanya kisi koordinat. Klik untuk memilih titik.",
    "map.close": "Tutup peta",
    "timeline.title": "Riwayat insiden", "timeline.empty": "Belum ada riwayat.",
    "callbacks.title": "Panggilan balik saya", "callbacks.empty": "Tidak ada panggilan balik.",
    "callbacks.open": "Panggilan balik terbuka", "callbacks.retry": "Coba sekarang", "callbacks.cancel": "Batalkan",
    "col.incident": "Insiden", "col.number": "Nomor", "col.reason": "Sebab", "col.status": "Status",
    "col.due": "Jatuh tempo", "col.attempts": "Percobaan", "col.seat": "Meja", "col.state": "Status",
    "col.in_state": "Lama", "col.answered": "Dijawab", "col.missed": "Tak dijawab", "col.pause": "Alasan",
    "col.pos": "No.", "col.caller": "Penelepon", "col.wait": "Menunggu", "col.flags": "Tanda",
    "col.hint": "Kategori", "col.opened": "Dibuka", "col.category": "Kategori", "col.priority": "Prioritas",
    "col.time": "Waktu", "col.actor": "Oleh", "col.action": "Tindakan", "col.details": "Rincian",
    "col.version": "Versi", "col.author": "Oleh", "col.when": "Kapan", "col.name": "Nama",
    "col.dial": "Dial string", "col.overflow": "Cadangan", "col.user": "Pengguna", "col.role": "Peran",
    "col.disabled": "Nonaktif", "col.verification": "Verifikasi", "col.detail": "Keterangan",
    "col.duration": "Durasi", "col.talk": "Bicara",
    "flag.no_callback": "TANPA NOMOR", "flag.repeat": "BERULANG", "flag.callback": "PANGGILAN BALIK",
    "wb.waiting": "Menunggu", "wb.longest": "Terlama", "wb.ringing": "Berdering", "wb.connected": "Bicara",
    "wb.answered": "Dijawab (sejak start)", "wb.abandoned": "Ditinggal (sejak start)",
    "wb.calls_waiting": "Panggilan menunggu", "wb.none_waiting": "Tidak ada panggilan menunggu.",
    "wb.seats": "Meja", "wb.sl": "Tingkat layanan", "wb.today": "Hari ini", "wb.hour": "1 jam terakhir",
    "wb.calls": "Panggilan", "wb.within": "Dijawab ≤", "wb.abandoned_w": "Ditinggal", "wb.dropped": "Terputus",
    "wb.callbacks": "Panggilan balik per hasil", "wb.no_callback": "Daftar tanpa nomor (tidak bisa dihubungi balik)",
    "wb.no_callback_empty": "Kosong.", "wb.in_calls": "Panggilan berlangsung",
    "inc.filters": "Saring", "inc.search": "Cari", "inc.from": "Dari", "inc.to": "Sampai", "inc.any": "(semua)",
    "inc.total": "ditemukan", "inc.prev": "Sebelumnya", "inc.next": "Berikutnya", "inc.recordings": "Rekaman",
    "inc.play": "Putar", "inc.calls": "Panggilan", "inc.none": "Tidak ada insiden.", "inc.open_form": "Buka formulir",
    "q.title": "Konfigurasi antrean", "q.strategy": "Strategi", "q.ring_timeout": "Batas dering (detik)",
    "q.wrapup_time": "Waktu menyelesaikan (detik)", "q.auto_pause_after_missed": "Jeda otomatis setelah tak dijawab",
    "q.overflow_after": "Meja cadangan setelah (detik)", "q.save": "Simpan konfigurasi",
    "q.saved": "Tersimpan sebagai versi", "q.invalid": "Konfigurasi tidak valid; tidak ada yang diubah.",
    "q.history": "Riwayat versi", "q.diff": "Beda dengan sebelumnya", "q.current": "berlaku",
    "q.readonly": "Hanya admin yang dapat mengubah.",
    "s.title": "Meja", "s.add": "Tambah meja", "s.save": "Simpan", "s.delete": "Hapus", "s.confirm": "Hapus meja",
    "u.title": "Pengguna", "u.add": "Tambah pengguna", "u.disable": "Nonaktifkan", "u.enable": "Aktifkan",
    "u.token": "Buat token", "u.token_shown": "Token (ditampilkan sekali):", "u.seat": "Meja",
    "a.title": "Log audit", "a.filter": "Saring",
    "done": "Selesai", "error": "Galat", "yes": "ya", "no": "tidak", "none": "—", "refresh": "Segarkan",
    "keys": "Pintasan",
  },
  en: {
    "app.title": "Call Center 112 Semarang", "login.title": "Log in", "login.username": "Username",
    "login.password": "Password", "login.submit": "Log in", "login.failed": "Login failed",
    "logout": "Log out", "loading": "Loading…", "lang.other": "ID",
    "nav.calltaker": "My seat", "nav.wallboard": "Wallboard", "nav.incidents": "Incidents",
    "nav.queue": "Queue", "nav.seats": "Seats", "nav.users": "Users", "nav.audit": "Audit log",
    "role.call_taker": "call taker", "role.supervisor": "supervisor", "role.admin": "admin",
    "role.qc_evaluator": "QC evaluator", "nav.qc": "Quality control",
    "link.live": "LIVE", "link.lost": "DISCONNECTED", "link.connecting": "CONNECTING…",
    "banner.lost": "Connection lost — what is on screen may be out of date. Reconnecting…",
    "banner.expired": "Session ended: please log in again.",
    "seat.title": "Seat", "seat.none": "This account has no seat.", "seat.state": "State",
    "seat.in_state": "for", "seat.login": "Log seat in", "seat.logout": "Log seat out",
    "seat.ready": "Ready", "seat.pause": "Pause", "seat.reason": "Pause reason",
    "reason.break": "Break", "reason.meal": "Meal", "reason.toilet": "Toilet", "reason.training": "Training",
    "reason.briefing": "Briefing", "reason.other": "Other",
    "state.logged_out": "LOGGED OUT", "state.available": "READY", "state.offered": "RINGING", "state.on_call": "ON CALL",
    "state.wrap_up": "WRAP-UP", "state.paused": "PAUSED", "state.unreachable": "UNREACHABLE",
    "pop.ringing": "INCOMING CALL", "pop.connected": "CONNECTED", "pop.ended": "CALL ENDED",
    "pop.idle": "No call", "pop.caller": "Caller", "pop.no_callback":
      "no number — no callback possible: ask for the location first",
    "pop.hint": "Category (from the number)", "pop.dialled": "Number dialled", "pop.repeat": "Repeat caller: incident",
    "pop.incident": "Incident", "pop.open": "Open", "pop.callback_leg": "Callback",
    "form.title": "Incident", "form.none": "No incident selected. Pick one from the list or wait for a call.",
    "form.reporter_name": "Reporter's name", "form.callback_number": "Callback number",
    "form.address": "Address / location", "form.latitude": "Latitude", "form.longitude": "Longitude",
    "form.location_source": "Location source", "form.map": "Pick on map", "form.category": "Category",
    "form.description": "Description", "form.verification": "Verification", "form.priority": "Priority",
    "form.status": "Status", "form.move": "Move status to", "form.final": "Final status: no more changes.",
    "form.saved": "Saved", "form.saving": "Saving…", "form.dirty": "Not saved yet (draft kept in this browser)",
    "form.failed": "Not saved: check the marked fields", "form.offline": "Not saved: connection lost",
    "form.save": "Save", "form.pair": "fill in latitude and longitude together", "form.caller": "Calling number",
    "form.opened": "Opened", "form.recent": "My incidents", "form.reload": "Reload",
    "map.no_tiles": "No map server configured (map_tile_url is empty): a coordinate grid only. Click to pick a point.",
    "map.close": "Close map",
    "timeline.title": "Incident timeline", "timeline.empty": "Nothing yet.",
    "callbacks.title": "My callbacks", "callbacks.empty": "No callbacks.",
    "callbacks.open": "Open callbacks", "callbacks.retry": "Try now", "callbacks.cancel": "Cancel",
    "col.incident": "Incident", "col.number": "Number", "col.reason": "Reason", "col.status": "Status",
    "col.due": "Due", "col.attempts": "Attempts", "col.seat": "Seat", "col.state": "State",
    "col.in_state": "For", "col.answered": "Answered", "col.missed": "Missed", "col.pause": "Reason",
    "col.pos": "#", "col.caller": "Caller", "col.wait": "Waiting", "col.flags": "Flags",
    "col.hint": "Category", "col.opened": "Opened", "col.category": "Category", "col.priority": "Priority",
    "col.time": "Time", "col.actor": "By", "col.action": "Action", "col.details": "Details",
    "col.version": "Version", "col.author": "By", "col.when": "When", "col.name": "Name",
    "col.dial": "Dial string", "col.overflow": "Overflow", "col.user": "User", "col.role": "Role",
    "col.disabled": "Disabled", "col.verification": "Verification", "col.detail": "Detail",
    "col.duration": "Duration", "col.talk": "Talking",
    "flag.no_callback": "NO NUMBER", "flag.repeat": "REPEAT", "flag.callback": "CALLBACK",
    "wb.waiting": "Waiting", "wb.longest": "Longest", "wb.ringing": "Ringing", "wb.connected": "Talking",
    "wb.answered": "Answered (since start)", "wb.abandoned": "Abandoned (since start)",
    "wb.calls_waiting": "Calls waiting", "wb.none_waiting": "No calls waiting.",
    "wb.seats": "Seats", "wb.sl": "Service level", "wb.today": "Today", "wb.hour": "Last hour",
    "wb.calls": "Calls", "wb.within": "Answered ≤", "wb.abandoned_w": "Abandoned", "wb.dropped": "Dropped",
    "wb.callbacks": "Callbacks by outcome", "wb.no_callback": "No-callback list (cannot be called back)",
    "wb.no_callback_empty": "Empty.", "wb.in_calls": "Calls in progress",
    "inc.filters": "Filters", "inc.search": "Search", "inc.from": "From", "inc.to": "To", "inc.any": "(any)",
    "inc.total": "found", "inc.prev": "Previous", "inc.next": "Next", "inc.recordings": "Recordings",
    "inc.play": "Play", "inc.calls": "Calls", "inc.none": "No incidents.", "inc.open_form": "Open form",
    "q.title": "Queue configuration", "q.strategy": "Strategy", "q.ring_timeout": "Ring timeout (seconds)",
    "q.wrapup_time": "Wrap-up time (seconds)", "q.auto_pause_after_missed": "Auto-pause after missed offers",
    "q.overflow_after": "Overflow seats after (seconds)", "q.save": "Save configuration",
    "q.saved": "Saved as version", "q.invalid": "Invalid configuration; nothing was changed.",
    "q.history": "Version history", "q.diff": "Diff with previous", "q.current": "in force",
    "q.readonly": "Only admins can change it.",
    "s.title": "Seats", "s.add": "Add seat", "s.save": "Save", "s.delete": "Delete", "s.confirm": "Delete seat",
    "u.title": "Users", "u.add": "Add user", "u.disable": "Disable", "u.enable": "Enable",
    "u.token": "Issue token", "u.token_shown": "Token (shown once):", "u.seat": "Seat",
    "a.title": "Audit log", "a.filter": "Filter",
    "done": "Done", "error": "Error", "yes": "yes", "no": "no", "none": "—", "refresh": "Refresh",
    "keys": "Shortcuts",
  },
};

export const CATEGORIES = {
  id: { police: "Polisi", fire: "Pemadam Kebakaran", medical: "Ambulans / Kesehatan",
        search_and_rescue: "Pencarian dan Pertolongan (SAR)", disaster: "Bencana", electricity: "Listrik (PLN)",
        water: "Air (PDAM)", traffic: "Lalu Lintas", public_order: "Ketertiban Umum", other: "Informasi / Lainnya" },
  en: { police: "Police", fire: "Fire", medical: "Ambulance / Health", search_and_rescue: "Search and rescue",
        disaster: "Disaster", electricity: "Electricity", water: "Water", traffic: "Traffic",
        public_order: "Public order", other: "Information / other" },
};
const WORDS = {  // values of the API's enums
  id: { new: "baru", in_progress: "sedang ditangani", verified: "terverifikasi", dispatched: "diteruskan",
        resolved: "tertangani", closed: "ditutup", cancelled: "dibatalkan", unverified: "belum diverifikasi",
        false_report: "laporan palsu", prank: "iseng", ghost: "panggilan kosong", caller: "penelepon",
        aml: "AML (ponsel)", network: "operator seluler", map: "peta", other: "lainnya",
        abandoned: "ditinggal", dropped: "terputus", pending: "menunggu", done: "berhasil", exhausted: "gagal semua",
        supervisor: "ke supervisor", connected: "tersambung", no_answer: "tak dijawab", busy: "sibuk",
        failed: "gagal", answered: "dijawab", completed: "selesai",
        "1": "1 — kritis", "2": "2 — tinggi", "3": "3 — sedang", "4": "4 — rendah",
        longest_idle: "terlama menganggur", round_robin: "bergiliran", fewest_calls: "panggilan tersedikit",
        arrived: "panggilan masuk", offered_to_seat: "ditawarkan ke meja", answered_by_seat: "dijawab meja",
        recording_started: "rekaman mulai", recording_stopped: "rekaman selesai", hung_up: "ditutup",
        field_changed: "isian diubah", status_changed: "status diubah", callback_scheduled: "panggilan balik dijadwalkan",
        callback_attempt: "percobaan panggilan balik", callback_outcome: "hasil panggilan balik",
        callback_cancelled: "panggilan balik dibatalkan", linked_repeat_call: "panggilan berulang ditautkan",
        note: "catatan" },
  en: { new: "new", in_progress: "in progress", verified: "verified", dispatched: "dispatched", resolved: "resolved",
        closed: "closed", cancelled: "cancelled", unverified: "unverified", false_report: "false report",
        prank: "prank", ghost: "ghost call", caller: "caller", aml: "AML (handset)", network: "network", map: "map",
        other: "other", abandoned: "abandoned", dropped: "dropped", pending: "pending", done: "done",
        exhausted: "exhausted", supervisor: "to supervisor", connected: "connected", no_answer: "no answer",
        busy: "busy", failed: "failed", answered: "answered", completed: "completed",
        "1": "1 — critical", "2": "2 — high", "3": "3 — medium", "4": "4 — low",
        longest_idle: "longest idle", round_robin: "round robin", fewest_calls: "fewest calls",
        arrived: "call arrived", offered_to_seat: "offered to seat", answered_by_seat: "answered by seat",
        recording_started: "recording started", recording_stopped: "recording stopped", hung_up: "hung up",
        field_changed: "field changed", status_changed: "status changed", callback_scheduled: "callback scheduled",
        callback_attempt: "callback attempt", callback_outcome: "callback outcome",
        callback_cancelled: "callback cancelled", linked_repeat_call: "repeat call linked", note: "note" },
};
export const DIALLED_HINT = { "110": "police", "113": "fire", "115": "search_and_rescue", "118": "medical",
                              "119": "medical", "123": "electricity" };

let language = "id";

export function setLanguage(lang) {
  language = TEXT[lang] ? lang : "id";
  document.documentElement.lang = language;
  localStorage.setItem("cc112.lang", language);
}
export function initialLanguage(serverDefault) {
  const chosen = localStorage.getItem("cc112.lang");
  return TEXT[chosen] ? chosen : (TEXT[serverDefault] ? serverDefault : "id");
}
export const lang = () => language;
// More text from a screen's own module (issue 18's QC screen), so this file stays small to merge.
export function addText(more) { for (const l of Object.keys(TEXT)) Object.assign(TEXT[l], more[l] || {}); }
export function t(key) { return TEXT[language][key] ?? TEXT.en[key] ?? key; }
export function word(value) {
  if (value === null || value === undefined || value === "") return t("none");
  return WORDS[language][String(value)] ?? String(value);
}
export function reason(value) {  // a pause reason: ours translated, anything else as the phone or API gave it
  const key = `reason.${value}`;
  return value ? (TEXT[language][key] ?? value) : "";
}
export function category(value) {
  if (!value) return t("none");
  return CATEGORIES[language][value] ?? value;
}

// The API's field messages are English; the common ones are said in Indonesian too (others as sent).
const FIELD_MESSAGES = [
  [/^must be between (\S+) and (\S+)(.*)$/, "harus antara $1 dan $2$3"], [/^must be a number(.*)$/, "harus berupa angka$1"],
  [/^must be a whole number$/, "harus bilangan bulat"], [/^is required.*$/, "wajib diisi"],
  [/^must be one of (.*)$/, "harus salah satu dari $1"], [/^must be text$/, "harus berupa teks"],
  [/^latitude and longitude go together$/, "lintang dan bujur harus diisi bersama"],
  [/^required with a position$/, "wajib diisi bila ada posisi"],
  [/^(.*) is not a number that can be called back$/, "$1 bukan nomor yang bisa dihubungi balik"],
  [/^at most (\d+) characters.*$/, "paling banyak $1 karakter"],
];
export function fieldMessage(message) {
  if (language !== "id") return message;
  for (const [pattern, replacement] of FIELD_MESSAGES) if (pattern.test(message)) return message.replace(pattern, replacement);
  return message;
}
