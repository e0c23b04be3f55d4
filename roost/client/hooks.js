// JS hooks: client code for an element's life. <div roost-hook="Chart"> runs
// window.Roost.hooks.Chart's mounted, updated, destroyed, disconnected and
// reconnected, with this.el, this.pushEvent, this.pushEventTo, this.handleEvent
// and this.removeHandleEvent (docs/bindings.md describes each).
import { ATTR } from "./protocol.js";
import { targetOf } from "./bindings.js";

export class Hooks {
  // registry(): the object hooks are registered in (window.Roost.hooks).
  // push(element, target, event, payload): send an event, a promise of its reply.
  constructor(window, registry, push) {
    this.window = window;
    this.registry = registry;
    this.push = push;
    this.mounted = new Map(); // element -> hook instance
    this.connected = true;
    // Mutations are recorded only while a hook is mounted; a patch is told apart
    // from the page's own changes by the records taken right before and after it.
    this.observer = new MutationObserver(() => {});
    this.observing = false;
  }

  // Mount every hook element in `root` that is not yet.
  scan(root) {
    const els = root.querySelectorAll(`[${ATTR.HOOK}]`);
    for (const el of els) if (!this.mounted.has(el)) this.mount(el);
  }

  mount(el) {
    const name = el.getAttribute(ATTR.HOOK);
    const definition = (this.registry() || {})[name];
    if (!definition) return;
    const hook = Object.create(definition);
    const handlers = new Set();
    const reply = (sent, onReply) => {
      if (onReply) sent.then((r) => onReply(r), () => {});
      return sent;
    };
    Object.assign(hook, {
      el,
      pushEvent: (event, payload = {}, onReply) => reply(this.push(el, targetOf(el), event, payload), onReply),
      pushEventTo: (to, event, payload = {}, onReply) => {
        const at = typeof to === "string" ? this.window.document.querySelector(to) : to;
        if (!at) return Promise.reject(new Error(`roost: pushEventTo: no element ${to}`));
        return reply(this.push(el, targetOf(at), event, payload), onReply);
      },
      handleEvent: (event, callback) => {
        const listener = (e) => callback(e.detail);
        listener.event = `roost:${event}`;
        this.window.addEventListener(listener.event, listener);
        handlers.add(listener);
        return listener;
      },
      removeHandleEvent: (listener) => {
        this.window.removeEventListener(listener.event, listener);
        handlers.delete(listener);
      },
      __name: name,
      __handlers: handlers,
    });
    this.mounted.set(el, hook);
    if (!this.observing) {
      this.observer.observe(this.window.document, { subtree: true, childList: true, attributes: true, characterData: true });
      this.observing = true;
    }
    call(hook, "mounted");
  }

  destroy(el, hook) {
    this.mounted.delete(el);
    if (this.mounted.size === 0) {
      this.observer.disconnect();
      this.observing = false;
    }
    for (const listener of [...hook.__handlers]) hook.removeHandleEvent(listener);
    call(hook, "destroyed");
  }

  before() {
    if (this.observing) this.observer.takeRecords();
  }

  // After a patch or render: hooks gone are destroyed, new ones mounted, those whose
  // element changed updated. `inPlace` (patch.js): it made no element, set no hook.
  after(root, inPlace = false) {
    if (!this.observing) {
      if (!inPlace) this.scan(this.window.document);
      return;
    }
    const changed = new Set();
    // Only elements added, or a hook attribute set, can bring a new hook: the
    // page is searched for one only then.
    let added = false;
    for (const record of this.observer.takeRecords()) {
      if (record.type === "childList" ? record.addedNodes.length : record.attributeName === ATTR.HOOK) {
        added = true;
      }
      const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      const el = node && node.closest(`[${ATTR.HOOK}]`);
      if (el) changed.add(el);
    }
    for (const [el, hook] of [...this.mounted]) {
      if (!el.isConnected || el.getAttribute(ATTR.HOOK) !== hook.__name) this.destroy(el, hook);
    }
    for (const el of changed) {
      const hook = this.mounted.get(el);
      if (hook) call(hook, "updated");
    }
    if (added) this.scan(this.window.document);
  }

  // The connection state changed: `connected` (joined) or not.
  connection(connected) {
    if (connected === this.connected) return;
    this.connected = connected;
    for (const hook of this.mounted.values()) call(hook, connected ? "reconnected" : "disconnected");
  }
}

function call(hook, callback) {
  if (typeof hook[callback] !== "function") return;
  try {
    hook[callback]();
  } catch (e) {
    console.error(`roost: hook ${hook.__name}.${callback} failed`, e);
  }
}
