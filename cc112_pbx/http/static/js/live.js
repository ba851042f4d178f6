// The event stream (`/api/events`, WebSocket): reconnects on its own with a growing delay (0.5 s up
// to 5 s), and tells the page whether what it shows is live. While disconnected the page is marked
// stale (greyed, with a banner); on reconnect every screen reloads its state from the API first.
import { session } from "./session.js";

const MIN_DELAY = 500;
const MAX_DELAY = 5000;

export class LiveStream {
  constructor({ onNotice, onState, onReconnect }) {
    this.onNotice = onNotice;
    this.onState = onState;
    this.onReconnect = onReconnect;
    this.delay = MIN_DELAY;
    this.socket = null;
    this.timer = null;
    this.state = "connecting";
    this.everConnected = false;
    this.stopped = false;
  }

  start() { this.stopped = false; this.connect(); }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) { this.socket.onclose = null; this.socket.close(); this.socket = null; }
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }

  connect() {
    if (this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}/api/events?access_token=${encodeURIComponent(session.token || "")}`;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onmessage = async (message) => {
      let notice;
      try { notice = JSON.parse(message.data); } catch { return; }
      if (notice.kind === "hello") {
        this.delay = MIN_DELAY;
        const again = this.everConnected;
        this.everConnected = true;
        if (again) {
          try { await this.onReconnect(); } catch { /* the next failure shows again */ }
        }
        if (socket === this.socket) this.setState("live");
        return;
      }
      this.onNotice(notice);
    };
    socket.onclose = () => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.setState("lost");
      this.retry();
    };
  }

  retry() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(MAX_DELAY, this.delay * 2);
  }
}
