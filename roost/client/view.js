// The actors on the page: one container element per target, each with its
// version. Applies full renders and patches in order; a gap asks for a resync.
import { ATTR, CLIENT, SERVER, VIEW_TARGET } from "./protocol.js";
import { applyPatches } from "./patch.js";

// The status notice of a page whose view failed for good (its own message is in its place).
const STOPPED = "This page has stopped. Reload the page.";

export class Targets {
  constructor(document, socket) {
    this.document = document;
    this.socket = socket;
    this.versions = new Map();
    this.syncing = new Set();
  }

  container(target) {
    return this.document.querySelector(`[${ATTR.ID}="${CSS.escape(target)}"]`);
  }

  handle(message) {
    const [tag, target] = message;
    if (tag === SERVER.RENDER) return this.render(target, message[2], message[3]);
    if (tag === SERVER.PATCH) return this.patch(target, message[2], message[3]);
    if (tag === SERVER.CRASH) return this.crash(target, message[2]);
    if (tag === SERVER.NAVIGATE) return navigate(message[1]);
    if (tag === SERVER.PUSH_EVENT) {
      return void window.dispatchEvent(new CustomEvent(`roost:${message[1]}`, { detail: message[2] }));
    }
  }

  render(target, version, html) {
    const root = this.container(target);
    if (!root) return;
    const template = this.document.createElement("template");
    template.innerHTML = html;
    keepingChildren(root, () => root.replaceChildren(template.content));
    root.removeAttribute(ATTR.CRASHED);
    this.versions.set(target, version);
  }

  patch(target, version, ops) {
    const root = this.container(target);
    if (!root) return;
    const current = this.versions.get(target);
    // No known version: a gap, or a Sync the server refused (rate_limited),
    // which would otherwise leave the target frozen for good.
    if (current === undefined || version !== current + 1) {
      this.versions.delete(target);
      this.sync(target);
      return;
    }
    try {
      keepingChildren(root, () => applyPatches(root, ops));
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
    const notice = this.document.createElement("p");
    notice.setAttribute("role", "alert");
    notice.className = "roost-error";
    notice.textContent = text;
    root.replaceChildren(notice);
    root.setAttribute(ATTR.CRASHED, "");
    this.versions.delete(target);
    // The view failed for good: rejoining would hide the error behind a fresh view.
    if (target === VIEW_TARGET) this.socket.stop(STOPPED);
  }
}

// The server names where to go; still, never run a `javascript:` (or `data:`)
// URL from the wire. A relative path resolves against this http(s) page.
function navigate(to) {
  let url;
  try {
    url = new URL(to, window.location.href);
  } catch {
    url = null;
  }
  if (url && (url.protocol === "http:" || url.protocol === "https:")) window.location.href = url.href;
  else console.warn("roost: refusing to navigate to", to);
}

// A parent's render or patch may recreate the boundary element of a child
// actor (a LiveComponent) inside it; the child's content belongs to the child,
// so it moves into the new boundary instead of being lost.
function keepingChildren(root, change) {
  const before = new Map();
  for (const el of root.querySelectorAll(`[${ATTR.ID}]`)) before.set(el.getAttribute(ATTR.ID), el);
  try {
    change();
  } finally {
    // Also after a change that failed halfway: no child's content is lost
    // while its parent waits for the resync.
    for (const el of root.querySelectorAll(`[${ATTR.ID}]`)) {
      const old = before.get(el.getAttribute(ATTR.ID));
      if (old && old !== el && !el.hasChildNodes()) el.replaceChildren(...old.childNodes);
    }
  }
}
