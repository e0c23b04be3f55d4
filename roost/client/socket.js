// The WebSocket to the server: join, refs and replies, heartbeats, and
// reconnection with exponential backoff and jitter. Knows no DOM.
import { CLIENT, SERVER, VERSION } from "./protocol.js";

const HEARTBEAT_MS = 30000;
const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 10000;

export class Socket {
  constructor(url, token, onMessage) {
    this.url = url;
    this.token = token;
    this.onMessage = onMessage;
    this.ref = 0;
    this.pending = new Map();
    this.attempt = 0;
    this.stopped = false;
    this.ws = null;
  }

  connect() {
    const ws = new WebSocket(`${this.url}?v=${VERSION}`);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.push([CLIENT.JOIN, this.nextRef(), this.token, location.href]);
      this.heartbeat = setInterval(() => this.push([CLIENT.HEARTBEAT, this.nextRef()]), HEARTBEAT_MS);
    };
    ws.onmessage = (e) => this.receive(JSON.parse(e.data));
    ws.onclose = () => {
      clearInterval(this.heartbeat);
      this.rejectPending("disconnected");
      if (!this.stopped) this.reconnectLater();
    };
  }

  reconnectLater() {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt++);
    setTimeout(() => this.connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }

  nextRef() {
    return ++this.ref;
  }

  push(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  // Send a message that expects a reply; resolves on Ack, rejects on Error.
  request(build) {
    const ref = this.nextRef();
    return new Promise((resolve, reject) => {
      this.pending.set(ref, { resolve, reject });
      this.push(build(ref));
    });
  }

  receive(message) {
    const [tag] = message;
    if (tag === SERVER.ACK || tag === SERVER.ERROR) {
      const waiter = this.pending.get(message[1]);
      this.pending.delete(message[1]);
      if (tag === SERVER.ERROR) console.warn("roost:", message[2], message[3]);
      if (waiter) tag === SERVER.ACK ? waiter.resolve() : waiter.reject(message[2]);
      if (tag === SERVER.ERROR && message[2] === "bad_token") this.stopped = true;
      return;
    }
    this.onMessage(message);
  }

  rejectPending(reason) {
    for (const waiter of this.pending.values()) waiter.reject(reason);
    this.pending.clear();
  }

  leave() {
    this.stopped = true;
    this.push([CLIENT.LEAVE]);
    if (this.ws) this.ws.close();
  }
}
