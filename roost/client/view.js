// The actors on the page: one container element per target, each with its
// version. Applies full renders and patches in order; a gap asks for a resync.
// A join may answer "you hold it as served" for content the page has kept
// untouched since it loaded: the container is kept as it is.
import { ATTR, CLIENT, CRASH_CLASS, FIELDS, FLASH_COOKIE, SERVER, VALUE, VIEW_TARGET } from "./protocol.js";
import { applyPatches, inPlace } from "./patch.js";

// The status notice of a page whose view failed for good (its own message is in its place).
const STOPPED = "This page has stopped. Reload the page.";

export class Targets {
  // observers: each with before(root) and after(root, inPlace), called around
  // every render and patch of a container (hooks, sticky JS commands); recovery:
  // form recovery, around each render (recovery.js).
  constructor(document, socket, { observers = [], recovery = null } = {}) {
    this.document = document;
    this.socket = socket;
    this.observers = observers;
    this.recovery = recovery;
    this.versions = new Map();
    this.syncing = new Set();
    // Each container still holding what the page loaded with, by target (an id
    // on the page twice is not taken). Left when its target gets any content
    // of its own; follows its content when a parent's change moves it.
    this.served = new Map();
    const twice = new Set();
    for (const el of document.querySelectorAll(`[${ATTR.ID}]`)) {
      const target = el.getAttribute(ATTR.ID);
      if (this.served.has(target)) twice.add(target);
      this.served.set(target, el);
    }
    for (const target of twice) this.served.delete(target);
  }

  container(target) {
    return this.document.querySelector(`[${ATTR.ID}="${CSS.escape(target)}"]`);
  }

  handle(message) {
    const tag = message[0];
    if (tag === SERVER.RENDER) {
      const f = FIELDS.RENDER;
      const html = message[f.HTML];
      if (html === undefined || html === null) return this.keep(message[f.TARGET], message[f.VERSION]);
      return this.render(message[f.TARGET], message[f.VERSION], html);
    }
    if (tag === SERVER.PATCH) {
      const f = FIELDS.PATCH;
      return this.patch(message[f.TARGET] ?? VIEW_TARGET, message[f.VERSION], opList(message[f.OPS]));
    }
    if (tag === SERVER.CRASH) return this.crash(message[FIELDS.CRASH.TARGET], message[FIELDS.CRASH.MESSAGE]);
    if (tag === SERVER.NAVIGATE) return navigate(message[FIELDS.NAVIGATE.TO], message[FIELDS.NAVIGATE.FLASH]);
    // The view's page_title: set as text, never read as HTML.
    if (tag === SERVER.TITLE) return void (this.document.title = message[FIELDS.TITLE.TITLE]);
    if (tag === SERVER.PUSH_EVENT) {
      const f = FIELDS.PUSH_EVENT;
      const pushed = new CustomEvent(`roost:${message[f.EVENT]}`, { detail: message[f.PAYLOAD] });
      return void window.dispatchEvent(pushed);
    }
  }

  render(target, version, html) {
    const root = this.container(target);
    if (!root) return;
    this.served.delete(target);
    const template = this.document.createElement("template");
    template.innerHTML = html;
    keepStreams(root, template.content);
    const replace = () => this.changing(root, () => root.replaceChildren(template.content));
    if (this.recovery) this.recovery.around(target, root, replace);
    else replace();
    root.removeAttribute(ATTR.CRASHED);
    this.versions.set(target, version);
  }

  // A Render without HTML: the server's content is what the page was served.
  // Kept if the container still holds that; else (it changed since, or was
  // replaced) the server is asked for the content in full.
  keep(target, version) {
    const root = this.container(target);
    if (!root) return;
    const served = this.served.get(target);
    this.served.delete(target);
    if (served === root && !root.hasAttribute(ATTR.CRASHED)) {
      this.versions.set(target, version);
      this.recovery?.around(target, root, () => {});
      return;
    }
    this.versions.delete(target);
    this.sync(target);
  }

  // `version` left off (0): the one after the version this socket last brought.
  patch(target, version, ops) {
    const root = this.container(target);
    if (!root) return;
    this.served.delete(target);
    const current = this.versions.get(target);
    if (!version && current !== undefined) version = current + 1;
    // No known version: a gap, or a Sync the server refused (rate_limited),
    // which would otherwise leave the target frozen for good.
    if (current === undefined || version !== current + 1) {
      this.versions.delete(target);
      this.sync(target);
      return;
    }
    try {
      this.changing(root, () => applyPatches(root, ops), inPlace(ops));
    } catch (e) {
      // Some ops may have applied, the rest not: the content is now neither
      // version. A full render from the server replaces it.
      console.warn(`roost: a patch of target ${JSON.stringify(target)} failed; resyncing it`, e);
      this.versions.delete(target);
      this.sync(target);
      return;
    }
    this.versions.set(target, version);
  }

  // One Sync in flight per target: the patches that keep coming meanwhile
  // would each ask again and spend the rate limit.
  sync(target) {
    if (this.syncing.has(target)) return;
    this.syncing.add(target);
    const done = () => this.syncing.delete(target);
    this.socket.request((ref) => [CLIENT.SYNC, ref, target]).then(done, done);
  }

  crash(target, text) {
    const root = this.container(target);
    if (!root) return;
    this.served.delete(target);
    const notice = this.document.createElement("p");
    notice.setAttribute("role", "alert");
    notice.className = CRASH_CLASS;
    notice.style.whiteSpace = "pre-wrap"; // a dev server's notice has several lines
    notice.textContent = text;
    root.replaceChildren(notice);
    root.setAttribute(ATTR.CRASHED, "");
    this.versions.delete(target);
    // The view failed for good: rejoining would hide the error behind a fresh view.
    if (target === VIEW_TARGET) this.socket.stop(STOPPED);
  }

  // Apply `change` to the container `root`, with its observers around it.
  // `inPlace`: it makes and drops no element, so no child's boundary is recreated.
  changing(root, change, inPlace = false) {
    for (const observer of this.observers) observer.before(root);
    try {
      if (inPlace) change();
      else this.keepingChildren(root, change);
    } finally {
      for (const observer of [...this.observers].reverse()) observer.after(root, inPlace);
    }
  }

  // A parent's render or patch may recreate the boundary element of a child
  // actor (a LiveComponent) inside it; the child's content belongs to the child,
  // so it moves into the new boundary instead of being lost.
  keepingChildren(root, change) {
    const before = new Map();
    for (const el of root.querySelectorAll(`[${ATTR.ID}]`)) before.set(el.getAttribute(ATTR.ID), el);
    try {
      change();
    } finally {
      // Also after a change that failed halfway: no child's content is lost
      // while its parent waits for the resync.
      for (const el of root.querySelectorAll(`[${ATTR.ID}]`)) {
        const target = el.getAttribute(ATTR.ID);
        const old = before.get(target);
        if (old && old !== el && !el.hasChildNodes()) {
          el.replaceChildren(...old.childNodes);
          if (this.served.get(target) === old) this.served.set(target, el);
        }
      }
    }
  }
}

// A page load of an http(s) URL (never a `javascript:` one from the wire); the
// flash messages ride in a short-lived cookie the next page's dead render clears.
function navigate(to, flash) {
  let url;
  try {
    url = new URL(to, window.location.href);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    console.warn("roost: refusing to navigate to", to);
    return;
  }
  if (flash && url.origin === window.location.origin) {
    document.cookie = `${FLASH_COOKIE}=${flash}; path=/; max-age=60; samesite=lax`;
  }
  window.location.href = url.href;
}

// A full render (a resync, a rejoin) carries only the items its render
// streamed: the ones the page holds already stay, those sent again replace theirs.
function keepStreams(root, content) {
  for (const fresh of content.querySelectorAll(`[${ATTR.UPDATE}="${VALUE.STREAM}"][id]`)) {
    const old = root.querySelector(`#${CSS.escape(fresh.id)}`);
    if (!old) continue;
    const sent = new Set([...fresh.children].map((el) => el.id));
    fresh.prepend(...[...old.children].filter((el) => !sent.has(el.id)));
  }
}

// A Patch's ops: one op may come bare ([opcode, path, ...]) rather than in a list.
export function opList(ops) {
  return typeof ops[0] === "number" ? [ops] : ops;
}
