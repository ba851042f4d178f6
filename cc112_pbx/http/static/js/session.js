// The session: the bearer token is the one secret the console keeps in the browser (localStorage,
// key "cc112.token"), so a refresh stays logged in; logging out revokes it on the server and removes
// it (with any incident drafts). A token in the address (`/#token=...`) is taken and wiped at once.
const KEY = "cc112.token";
const listeners = new Set();

export const session = {
  get token() { return localStorage.getItem(KEY); },
  set(token) { localStorage.setItem(KEY, token); },
  clear() {
    localStorage.removeItem(KEY);
    for (const key of Object.keys(localStorage)) if (key.startsWith("cc112.draft.")) localStorage.removeItem(key);
  },
  expired() { for (const fn of listeners) fn(); },
  onExpired(fn) { listeners.add(fn); },
  // `#token=...` (what `cc112 demo --stay` prints): keep it, then take it out of the address bar and history
  takeFromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const token = params.get("token");
    if (!token) return false;
    this.set(token);
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
    return true;
  },
};
