// The browser client's entry point: find the view's container, connect, and
// expose `window.Roost`. Loaded as <script type="module">; no build step.
import { Socket } from "./socket.js";
import { Targets } from "./view.js";
import { bind } from "./bindings.js";
import { applyPatches } from "./patch.js";

const Roost = (window.Roost = window.Roost || {});
Roost.applyPatches = applyPatches;

function boot() {
  const root = document.querySelector("[data-roost-token]");
  if (!root) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const base = new URL(import.meta.url).pathname.replace(/\/[^/]*$/, "");
  let targets;
  const socket = new Socket(`${scheme}//${location.host}${base}/socket`, root.dataset.roostToken, (m) =>
    targets.handle(m),
  );
  targets = new Targets(document, socket);
  bind(document, socket);
  Roost.socket = socket;
  Roost.targets = targets;
  socket.connect();
  window.addEventListener("pagehide", () => socket.leave());
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
