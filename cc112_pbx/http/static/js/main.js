// The console's entry point: settings, login (password or `/#token=`), the screens the role may see,
// the event stream and the connection banner.
import { api, ApiError, Offline } from "./api.js";
import { clear, h } from "./dom.js";
import { initialLanguage, lang, setLanguage, t } from "./i18n.js";
import { LiveStream } from "./live.js";
import { screensFor } from "./screens.js";
import { session } from "./session.js";
import { setTimeZone } from "./time.js";

const app = document.getElementById("app");
const nav = document.getElementById("nav");
const banner = document.getElementById("banner");
const linkState = document.getElementById("link");
const who = document.getElementById("who");
const langButton = document.getElementById("lang");
const logoutButton = document.getElementById("logout");

const ctx = { config: null, me: null, stream: null, screen: null, screenId: null, linkState: "connecting" };

async function boot() {
  session.takeFromFragment();  // first of all: the token leaves the address bar before anything else runs
  ctx.config = await api.get("/api/console").catch(() => ({ language: "id", time_zone: "Asia/Jakarta", map: {} }));
  setLanguage(initialLanguage(ctx.config.language));
  setTimeZone(ctx.config.time_zone);
  langButton.addEventListener("click", () => { setLanguage(lang() === "id" ? "en" : "id"); rerender(); });
  logoutButton.addEventListener("click", logout);
  session.onExpired(() => { if (ctx.me) { teardown(); showLogin(t("banner.expired")); } });
  window.addEventListener("hashchange", () => { if (ctx.me) openScreen(screenFromHash()); });
  if (!session.token) return showLogin();
  try {
    ctx.me = await api.get("/api/me");
  } catch (exc) {
    session.clear();
    return showLogin(exc instanceof ApiError && exc.status !== 401 ? exc.message : "");
  }
  start();
}

function chrome() {
  document.title = t("app.title");
  langButton.textContent = t("lang.other");
  logoutButton.textContent = t("logout");
  logoutButton.hidden = !ctx.me;
  who.textContent = ctx.me ? `${ctx.me.username} · ${t(`role.${ctx.me.role}`)}${ctx.me.seat ? ` · ${ctx.me.seat}` : ""}` : "";
  clear(nav, ...(ctx.me ? screensFor(ctx.me.role).map((s) =>
    h("a", { href: `#/${s.id}`, class: s.id === ctx.screenId ? "active" : "", "aria-current": s.id === ctx.screenId ? "page" : null },
      t(s.label))) : []));
  showLink(ctx.linkState);
}

function showLogin(message = "") {
  ctx.me = null;
  chrome();
  clear(linkState);
  const error = h("p", { class: "error", role: "alert", id: "login-error" }, message);
  const username = h("input", { id: "login-username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "login-password", name: "password", type: "password",
                                autocomplete: "current-password", required: true });
  const form = h("form", { class: "login card", id: "login-form" },
    h("h1", {}, t("app.title")),
    h("label", { for: "login-username" }, t("login.username")), username,
    h("label", { for: "login-password" }, t("login.password")), password,
    h("button", { type: "submit", class: "primary" }, t("login.submit")), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await api.post("/api/login", { username: username.value, password: password.value });
      session.set(answer.token);
      ctx.me = answer.user;
      start();
    } catch (exc) {
      error.textContent = `${t("login.failed")}: ${exc.message}`;
    }
  });
  clear(app, form);
  username.focus();
}

function start() {
  chrome();
  ctx.stream = new LiveStream({
    onNotice: (notice) => ctx.screen?.onNotice?.(notice),
    onState: showLink,
    onReconnect: async () => { await ctx.screen?.refresh?.(); },
  });
  ctx.stream.start();
  openScreen(screenFromHash());
}

function screenFromHash() {
  const wanted = location.hash.replace(/^#\/?/, "").split("/")[0];
  const mine = screensFor(ctx.me.role);
  return (mine.find((s) => s.id === wanted) || mine[0])?.id;
}

async function openScreen(id) {
  const spec = screensFor(ctx.me.role).find((s) => s.id === id);
  ctx.screen?.unmount?.();
  ctx.screen = null;
  ctx.screenId = id;
  chrome();
  if (!spec) return clear(app, h("p", { class: "card" }, `${ctx.me.role}: —`));
  if (location.hash !== `#/${id}`) history.replaceState(null, "", `#/${id}`);
  const module = await spec.load();
  if (ctx.screenId !== id) return;
  const el = h("section", { class: `screen screen-${id}`, id: `screen-${id}` });
  clear(app, el);
  ctx.screen = module.mount({ ...screenContext(), el }, el);
  try {
    await ctx.screen.refresh?.();
  } catch (exc) {
    if (!(exc instanceof Offline)) throw exc;
  }
}

function screenContext() {
  return { me: ctx.me, config: ctx.config, isLive: () => ctx.linkState === "live", openScreen: (id) => {
    location.hash = `#/${id}`;
  } };
}

function rerender() {
  if (!ctx.me) return showLogin();
  openScreen(ctx.screenId);
}

function showLink(state) {
  ctx.linkState = state;
  const lost = state === "lost";
  document.body.classList.toggle("stale", lost);
  banner.hidden = !lost;
  banner.textContent = lost ? t("banner.lost") : "";
  linkState.className = `link-state link-${state}`;
  linkState.textContent = ctx.me ? t(`link.${state}`) : "";
  if (lost) api.get("/api/me").catch(() => {});  // a revoked or expired token: back to the login form
}

function teardown() {
  ctx.stream?.stop();
  ctx.stream = null;
  ctx.screen?.unmount?.();
  ctx.screen = null;
  document.body.classList.remove("stale");
  banner.hidden = true;
}

async function logout() {
  try { await api.post("/api/logout"); } catch { /* gone anyway */ }
  teardown();
  session.clear();
  showLogin();
}

boot();
