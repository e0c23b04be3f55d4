// The connection state on the page: one class on the view's container
// (roost-connecting, roost-connected, roost-disconnected or roost-error, and
// roost-loading while an event is in flight), and while the page cannot act a
// notice (role="status", classes roost-notice and roost-notice-<state>, no
// style) right after it: never inside an actor's container, where patches
// address children by index.
import { ATTR, VIEW_TARGET } from "./protocol.js";
import { STATE } from "./socket.js";

const CLASS_PREFIX = "roost-";
const NOTICE_CLASS = "roost-notice";
const LOADING_CLASS = "roost-loading";
const TEXT = {
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  lost: "Connection lost. Reload the page.",
};

// The class an element gets when its event was not sent (roost-click-refused, …):
// the binding's attribute name plus -refused, as the pending one is plus -loading.
export function refusedClass(binding) {
  return `${binding}-refused`;
}

export class Status {
  constructor(document) {
    this.document = document;
    this.state = null;
    // Since the last successful join, the page has been cut off: a join in
    // flight is then a reconnection, and says so.
    this.interrupted = false;
    this.message = "";
    this.refusedInput = false;
    this.notice = null;
  }

  container() {
    return this.document.querySelector(`[${ATTR.ID}="${CSS.escape(VIEW_TARGET)}"]`);
  }

  // Enter `state`; `message` replaces the notice's text for an error.
  set(state, message = "") {
    this.state = state;
    this.message = message;
    if (state === STATE.CONNECTED) {
      this.interrupted = false;
      this.refusedInput = false;
      this.clearRefused();
    } else if (state !== STATE.CONNECTING) {
      this.interrupted = true;
    }
    const root = this.container();
    if (root) {
      for (const name of Object.values(STATE)) {
        if (name !== state) root.classList.remove(CLASS_PREFIX + name);
      }
      root.classList.add(CLASS_PREFIX + state);
    }
    this.show();
  }

  // An event the user asked for was not sent: mark its element (unless a
  // hook sent it, with no binding) and say why.
  refuse(element, binding) {
    if (binding) element.classList.add(refusedClass(binding));
    this.refusedInput = true;
    this.show();
  }

  // Events in flight: `delta` more (1) or fewer (-1). While any is, the
  // view's container has the class roost-loading.
  loading(delta) {
    this.inFlight = Math.max(0, (this.inFlight || 0) + delta);
    this.container()?.classList.toggle(LOADING_CLASS, this.inFlight > 0);
  }

  text() {
    if (this.state === STATE.ERROR) return this.message || TEXT.lost;
    if (this.state === STATE.DISCONNECTED) return TEXT.reconnecting;
    if (this.state === STATE.CONNECTING) {
      if (this.interrupted) return TEXT.reconnecting;
      if (this.refusedInput) return TEXT.connecting;
    }
    return "";
  }

  show() {
    const text = this.text();
    if (!text) {
      this.notice?.remove();
      return;
    }
    if (!this.notice) {
      this.notice = this.document.createElement("div");
      this.notice.setAttribute("role", "status");
    }
    this.notice.className = `${NOTICE_CLASS} ${NOTICE_CLASS}-${this.state}`;
    if (this.notice.textContent !== text) this.notice.textContent = text;
    if (!this.notice.isConnected) {
      const root = this.container();
      if (root && root.parentNode) root.after(this.notice);
      else this.document.body.append(this.notice);
    }
  }

  clearRefused() {
    for (const binding of [ATTR.CLICK, ATTR.SUBMIT, ATTR.CHANGE]) {
      const name = refusedClass(binding);
      for (const el of [...this.document.getElementsByClassName(name)]) el.classList.remove(name);
    }
  }
}
