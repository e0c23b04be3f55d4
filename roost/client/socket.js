// The WebSocket to the server: join and rejoin (resuming the session), refs
// and replies, checked heartbeats, and reconnection with exponential backoff
// and jitter. Knows no DOM: it names its connection state, and status.js shows it.
import { CLIENT, ERROR, FIELDS, SERVER, VERSION } from "./protocol.js";

const HEARTBEAT_MS = 30000;
const HEARTBEAT_TIMEOUT_MS = 10000;
const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 10000;

// What a request rejects with when there is no open socket to send it on.
export const DISCONNECTED = "disconnected";

// The connection state. connecting: before the first join and while a join is
// in flight; connected: joined; disconnected: the socket was lost and a retry
// is scheduled (with backoff); error: stopped for good -- the page must be
// reloaded (a refused token, a view that failed for good).
export const STATE = {
  CONNECTING: "connecting",
  CONNECTED: "connected",
  DISCONNECTED: "disconnected",
  ERROR: "error",
};

export class Socket {
  // onMessage(message): every server message that is not a reply to a request.
  // onBadToken(): the server refused the page's token (expired, foreign); the
  //   socket has halted, still connecting: reload the page, or stop() it.
  // onState(state, message): the connection state changed (STATE), with an
  //   error's message when stop() was given one.
  // onJoin(rejoin): a join is sent; `rejoin` when one succeeded before.
  constructor(url, token, { onMessage, onBadToken = () => {}, onState = () => {}, onJoin = () => {} }) {
    this.url = url;
    this.token = token;
    this.onMessage = onMessage;
    this.onBadToken = onBadToken;
    this.onState = onState;
    this.onJoin = onJoin;
    this.everJoined = false;
    this.state = STATE.CONNECTING;
    this.stateMessage = "";
    this.pending = new Map();
    // Refs left unanswered when a socket was lost. Their answers may still come
    // on the next socket (the session's actors go on), so they are never reused.
    this.retired = new Set();
    this.attempt = 0;
    this.stopped = false;
    this.ws = null;
    // In memory only: a reloaded page, or a copy of this one in another tab,
    // must mount its own session rather than take this one over.
    this.session = "";
    this.heartbeatMs = HEARTBEAT_MS;
    this.heartbeatTimeoutMs = HEARTBEAT_TIMEOUT_MS;
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  // Joined and open: what the user does can be sent.
  get connected() {
    return this.state === STATE.CONNECTED && this.open;
  }

  setState(state, message = "") {
    if (state === this.state && message === this.stateMessage) return;
    this.state = state;
    this.stateMessage = message;
    this.onState(state, message);
  }

  connect() {
    clearTimeout(this.retry);
    const ws = new WebSocket(`${this.url}?v=${VERSION}`);
    this.ws = ws;
    // The join is the socket's first frame, so the server handles every later
    // one after it: events need not wait for Joined.
    ws.onopen = () => {
      this.setState(STATE.CONNECTING);
      this.join();
    };
    ws.onmessage = (e) => {
      const data = JSON.parse(e.data);
      // A frame holds one message, or several (an array of them) to apply in order.
      if (Array.isArray(data[0])) for (const message of data) this.receive(message);
      else this.receive(data);
    };
    ws.onclose = () => this.lost();
  }

  join() {
    this.onJoin(this.everJoined);
    this.request((ref) => [CLIENT.JOIN, ref, this.token, location.href, this.session]).then(
      (session) => this.joined(session),
      (code) => this.refused(code),
    );
  }

  joined(session) {
    this.everJoined = true;
    this.session = session;
    // Only a join that succeeded proves the server well: a refused one
    // (max sessions, a failing mount) keeps backing off.
    this.attempt = 0;
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
  }

  refused(code) {
    if (code === DISCONNECTED) return; // the close already scheduled the retry
    if (code === ERROR.BAD_TOKEN) {
      this.halt();
      this.onBadToken();
      return;
    }
    this.lost();
  }

  // A connection that went half-open (a network switch) delivers nothing and
  // never closes by itself: an unanswered heartbeat is the only sign.
  beat() {
    if (this.unanswered) return;
    this.unanswered = setTimeout(() => this.lost(), this.heartbeatTimeoutMs);
    this.request((ref) => [CLIENT.HEARTBEAT, ref]).then(
      () => {
        clearTimeout(this.unanswered);
        this.unanswered = null;
      },
      () => {},
    );
  }

  lost() {
    this.drop();
    if (this.stopped) return;
    this.setState(STATE.DISCONNECTED);
    this.reconnectLater();
  }

  // Forget the socket at once rather than wait for its close handshake,
  // which a half-open connection never completes.
  drop() {
    clearInterval(this.heartbeat);
    clearTimeout(this.unanswered);
    this.unanswered = null;
    const ws = this.ws;
    if (ws) {
      this.ws = null;
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close();
    }
    this.rejectPending(DISCONNECTED);
  }

  reconnectLater() {
    clearTimeout(this.retry);
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt++);
    this.retry = setTimeout(() => this.connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }

  push(message) {
    if (this.open) this.ws.send(JSON.stringify(message));
  }

  // Send a message that expects a reply: resolves on its Ack (with the handler's
  // reply), Joined (the session id) or once the Patch carrying its ref is applied;
  // rejects with the error code, or at once with DISCONNECTED when no socket is open.
  // A ref is the smallest number not awaiting an answer: short on the wire.
  request(build) {
    if (!this.open) return Promise.reject(DISCONNECTED);
    let ref = 1;
    while (this.pending.has(ref) || this.retired.has(ref)) ref++;
    const reply = new Promise((resolve, reject) => this.pending.set(ref, { resolve, reject }));
    this.push(build(ref));
    return reply;
  }

  receive(message) {
    const [tag, ref] = message;
    // The server sends a socket nothing but refusals until it has joined it:
    // any other frame proves the join, also when the view's first Render
    // comes before the Joined.
    if (tag !== SERVER.ERROR) this.setState(STATE.CONNECTED);
    if (tag === SERVER.PATCH) {
      // Applied first: the code waiting on the requests it answers (a form's
      // roost-reset) runs on the page as the patch left it.
      try {
        this.onMessage(message);
      } finally {
        for (const acked of patchAcks(message)) this.settle(SERVER.ACK, acked);
      }
      return;
    }
    if (tag !== SERVER.ACK && tag !== SERVER.JOINED && tag !== SERVER.ERROR) {
      this.onMessage(message);
      return;
    }
    this.settle(tag, ref, message);
  }

  settle(tag, ref, message) {
    const waiter = this.pending.get(ref);
    this.pending.delete(ref);
    const code = tag === SERVER.ERROR ? message[FIELDS.ERROR.CODE] : null;
    if (code !== null) console.warn("roost:", code, message[FIELDS.ERROR.MESSAGE]);
    if (!waiter) return;
    if (code !== null) waiter.reject(code);
    else if (tag === SERVER.JOINED) waiter.resolve(message[FIELDS.JOINED.SESSION]);
    else waiter.resolve(tag === SERVER.ACK && message ? message[FIELDS.ACK.REPLY] : undefined);
  }

  rejectPending(reason) {
    for (const ref of this.pending.keys()) this.retired.add(ref);
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const waiter of waiters) waiter.reject(reason);
  }

  // The tab is going away for good: end the session now, not after the grace period.
  leave() {
    this.push([CLIENT.LEAVE]);
    this.session = "";
    this.stop();
  }

  // Close and stay closed (a view that failed for good, a page put in the
  // bfcache): the error state, with `message` for the page if given.
  stop(message = "") {
    this.halt();
    this.setState(STATE.ERROR, message);
  }

  halt() {
    this.stopped = true;
    clearTimeout(this.retry);
    this.drop();
  }

  // Connect again after stop(): resumes the session if the server still keeps it.
  restart() {
    this.drop();
    this.stopped = false;
    this.attempt = 0;
    this.setState(STATE.CONNECTING);
    this.connect();
  }
}

// The refs a Patch answers: one ref, a list of them, or none (0, or left off).
export function patchAcks(message) {
  const acks = message[FIELDS.PATCH.ACKS];
  if (Array.isArray(acks)) return acks;
  return acks ? [acks] : [];
}
