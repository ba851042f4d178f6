// Times in the centre's time zone (Asia/Jakarta by default, `[http] time_zone`), whatever the PC's zone.
import { lang } from "./i18n.js";

let zone = "Asia/Jakarta";
const cache = new Map();

export function setTimeZone(tz) { zone = tz || "Asia/Jakarta"; cache.clear(); }
export const timeZone = () => zone;

function formatter(kind) {
  const key = `${lang()}|${kind}`;
  if (!cache.has(key)) {
    const locale = lang() === "id" ? "id-ID" : "en-GB";
    const opts = kind === "time" ? { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }
      : { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
    cache.set(key, new Intl.DateTimeFormat(locale, { ...opts, timeZone: zone }));
  }
  return cache.get(key);
}

export function clock(iso) { return iso ? formatter("time").format(new Date(iso)) : "—"; }
export function stamp(iso) { return iso ? formatter("stamp").format(new Date(iso)) : "—"; }

// 0:07, 1:05, 1:02:03
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

// The zone's UTC offset at `date`, as "+07:00"
function offset(date) {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(date).find((p) => p.type === "timeZoneName")?.value || "GMT";
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(part);
  return m ? `${m[1]}:${m[2] || "00"}` : "+00:00";
}

// Midnight today in the centre's zone, ISO 8601 with its offset (for `?from=`)
export function startOfToday(now = new Date()) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric",
    month: "2-digit", day: "2-digit" }).formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T00:00:00${offset(now)}`;
}

// "2026-12-01" (a date input) -> ISO at that midnight in the centre's zone
export function dayStart(dateText) {
  return dateText ? `${dateText}T00:00:00${offset(new Date(`${dateText}T12:00:00Z`))}` : "";
}

export function isoWithOffset(date) {
  return date.toISOString().replace("Z", "+00:00");
}
