// DOM bindings: which user actions become events, for which handler and
// target. `roost-click="name"` on an element sends event `name` to the actor
// whose container encloses it, with its `roost-value-*` attributes as params.
import { CLIENT } from "./protocol.js";

const VALUE_PREFIX = "roost-value-";

export function params(element) {
  const out = {};
  for (const { name, value } of element.attributes) {
    if (name.startsWith(VALUE_PREFIX)) out[name.slice(VALUE_PREFIX.length)] = value;
  }
  return out;
}

export function targetOf(element) {
  const explicit = element.closest("[roost-target]");
  if (explicit) return explicit.getAttribute("roost-target");
  const container = element.closest("[data-roost-id]");
  return container ? container.getAttribute("data-roost-id") : null;
}

export function bind(document, socket) {
  document.addEventListener("click", (e) => {
    const element = e.target.closest && e.target.closest("[roost-click]");
    if (!element) return;
    const target = targetOf(element);
    if (target === null) return;
    e.preventDefault();
    const name = element.getAttribute("roost-click");
    element.classList.add("roost-click-loading");
    const done = () => element.classList.remove("roost-click-loading");
    socket
      .request((ref) => [CLIENT.EVENT, ref, target, name, params(element)])
      .then(done, done);
  });
}
