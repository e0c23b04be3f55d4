// The browser client's entry point: find the view's container, connect, and
// expose `window.Roost`. Loaded as <script type="module">; no build step.
import { STATE, Socket } from "./socket.js";
import { Targets } from "./view.js";
import { bind, send, targetOf } from "./bindings.js";
import { Commands } from "./commands.js";
import { Hooks } from "./hooks.js";
import { Recovery } from "./recovery.js";
import { applyPatches } from "./patch.js";
import { Status } from "./status.js";
import { Navigation } from "./navigation.js";
import { Uploads } from "./uploads.js";
import { ATTR, FIELDS, SERVER } from "./protocol.js";

const Roost = (window.Roost = window.Roost || {});
Roost.applyPatches = applyPatches;

// A refused token means the page is too old (tokens live 24 h); a fresh page
// has a fresh one. At most one reload per RELOAD_GUARD_MS, so that a server
// refusing every token (a changed secret) cannot loop the tab: then the page
// shows the error state instead. True when the page reloads.
const RELOAD_GUARD_MS = 30000;
const RELOADED_AT = "roost:reloaded-at";

function reloadForANewToken() {
  try {
    const since = Date.now() - Number(sessionStorage.getItem(RELOADED_AT));
    if (since >= 0 && since < RELOAD_GUARD_MS) throw new Error("reloaded moments ago");
    sessionStorage.setItem(RELOADED_AT, String(Date.now()));
  } catch (e) {
    // Without storage there is no guard: better a stopped page than a loop.
    console.warn("roost: the server refused this page's token; reload to continue", e);
    return false;
  }
  window.location.reload();
  return true;
}

function boot() {
  const root = document.querySelector(`[${ATTR.TOKEN}]`);
  if (!root) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const base = new URL(import.meta.url).pathname.replace(/\/[^/]*$/, "");
  let targets;
  let navigation;
  const status = new Status(document);
  const socket = new Socket(`${scheme}//${location.host}${base}/socket`, root.getAttribute(ATTR.TOKEN), {
    onMessage: (m) =>
      m[0] === SERVER.URL ? navigation.url(m[FIELDS.URL.TO], m[FIELDS.URL.REPLACE]) : targets.handle(m),
    onBadToken: () => reloadForANewToken() || socket.stop(),
    onState: (state, message) => {
      status.set(state, message);
      if (state !== STATE.CONNECTING) hooks.connection(state === STATE.CONNECTED);
      // Hooks mount once the page is joined (so they can push), after the
      // message that proved it has been applied.
      if (state === STATE.CONNECTED) queueMicrotask(() => hooks.scan(document));
    },
    onJoin: (rejoin) => rejoin && recovery.rejoining(),
  });
  status.set(socket.state);
  const ctx = { socket, status, commands: null, uploads: null };
  const commands = (ctx.commands = new Commands(document, (el, binding, event, params, target) =>
    send(ctx, el, binding, event, params, target ?? targetOf(el)),
  ));
  Roost.hooks = Roost.hooks || {};
  const hooks = new Hooks(window, () => Roost.hooks, (el, target, event, payload) =>
    send(ctx, el, null, event, payload, target),
  );
  const recovery = new Recovery(document, (el, binding, event, params) => send(ctx, el, binding, event, params));
  targets = new Targets(document, socket, { observers: [commands, hooks], recovery });
  ctx.uploads = new Uploads(document, ctx);
  bind(document, ctx);
  navigation = new Navigation(window, socket);
  Object.assign(Roost, { socket, targets, status, navigation, commands, uploads: ctx.uploads });
  socket.connect();
  // A page that may be restored from the back/forward cache (`persisted`)
  // closes its socket without Leave: the server keeps its session for the
  // grace period, and a restore within it resumes where it was. A page really
  // unloaded sends Leave, which ends its session at once.
  window.addEventListener("pagehide", (e) => (e.persisted ? socket.stop() : socket.leave()));
  window.addEventListener("pageshow", (e) => e.persisted && socket.restart());
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
