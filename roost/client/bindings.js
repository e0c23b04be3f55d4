// DOM bindings: which user actions become events, for which handler and
// target. The target is the actor whose container encloses the element
// (or the nearest roost-target attribute).
//   roost-click="name"   on any element: params from its roost-value-* attributes
//   roost-submit="name"  on a form: params from its fields; a form that carries
//                        roost-reset once the reply comes (after its patches) is cleared
//   roost-change="name"  on a form or a field: params from the form's fields, on every input
//   roost-debounce / roost-throttle on the binding's element (or, for change,
//                        on the field) pace its sends (rate.js); a pending change
//                        is sent at once on its form's submit and on the field's blur
// Key, focus, window and click-away bindings are in keys.js.
// While the page is not connected nothing is sent or queued: the element gets
// its binding's -refused class and the page's status notice says why.
import { ATTR, CLIENT, FIELDS, VIEW_TARGET } from "./protocol.js";
import { DISCONNECTED } from "./socket.js";
import { Rate } from "./rate.js";
import { bindKeys } from "./keys.js";

export function valueParams(element) {
  const out = {};
  for (const { name, value } of element.attributes) {
    if (name.startsWith(ATTR.VALUE_PREFIX)) out[name.slice(ATTR.VALUE_PREFIX.length)] = value;
  }
  return out;
}

// A name that can carry several values -- a <select multiple>, or several
// fields that are not radio buttons (a checkbox group) -- is sent as an array
// of strings, even with one value or none chosen, so that a handler's
// `list[str]` parameter always fits. Every other name is sent as a string.
export function formParams(form) {
  const out = {};
  const multiple = multiValued(form);
  for (const name of multiple) out[name] = [];
  for (const [name, value] of new FormData(form)) {
    if (typeof value !== "string") continue; // a file is not sent
    if (multiple.has(name)) out[name].push(value);
    else out[name] = value;
  }
  return out;
}

const SINGLE_OR_UNSENT = new Set(["radio", "submit", "button", "reset", "image", "file"]);

function multiValued(form) {
  const seen = new Set();
  const multiple = new Set();
  for (const field of form.elements) {
    const name = field.name;
    if (!name || !["INPUT", "SELECT", "TEXTAREA"].includes(field.tagName)) continue;
    if (SINGLE_OR_UNSENT.has(field.type)) continue;
    if (field.type === "select-multiple") multiple.add(name);
    else if (seen.has(name)) multiple.add(name);
    seen.add(name);
  }
  return multiple;
}

export function fieldValue(field) {
  return field.type === "select-multiple" ? [...field.selectedOptions].map((o) => o.value) : field.value;
}

export function targetOf(element) {
  const explicit = element.closest(`[${ATTR.TARGET}]`);
  if (explicit) return explicit.getAttribute(ATTR.TARGET);
  const container = element.closest(`[${ATTR.ID}]`);
  return container ? container.getAttribute(ATTR.ID) : null;
}

export function send(socket, status, element, binding, params) {
  const target = targetOf(element);
  if (target === null) return Promise.resolve();
  if (!socket.connected) {
    status.refuse(element, binding);
    return Promise.reject(DISCONNECTED);
  }
  const name = element.getAttribute(binding);
  // Pages style the pending state by these class names (roost-click-loading, …),
  // so they must stay the attribute's name plus -loading.
  const loading = `${binding}-loading`;
  element.classList.add(loading);
  const done = () => element.classList.remove(loading);
  return socket.request((ref) => eventMessage(ref, target, name, params)).then(done, (e) => {
    done();
    throw e;
  });
}

// An Event as the server's encoder writes one: the target left off when it is
// the view's, and then the params too when there are none (["e",1,"inc"]).
export function eventMessage(ref, target, handler, params) {
  const f = FIELDS.EVENT;
  const message = [CLIENT.EVENT];
  message[f.REF] = ref;
  message[f.HANDLER] = handler;
  message[f.PARAMS] = params;
  message[f.TARGET] = target;
  if (target === VIEW_TARGET) {
    message.length = f.TARGET;
    if (Object.keys(params).length === 0) message.length = f.PARAMS;
  }
  return message;
}

export function bind(document, socket, status) {
  const rate = new Rate();
  document.addEventListener("click", (e) => {
    const element = e.target.closest && e.target.closest(`[${ATTR.CLICK}]`);
    if (!element) return;
    e.preventDefault();
    const fire = () => send(socket, status, element, ATTR.CLICK, valueParams(element)).catch(() => {});
    rate.run(element, ATTR.CLICK, fire);
  });

  document.addEventListener("submit", (e) => {
    const form = e.target.closest && e.target.closest(`[${ATTR.SUBMIT}]`);
    if (!form) return;
    e.preventDefault();
    rate.flushAround(form); // a debounced change goes first, with its last value
    const params = { ...formParams(form), ...valueParams(form) };
    send(socket, status, form, ATTR.SUBMIT, params).then(
      () => form.hasAttribute(ATTR.RESET) && form.reset(),
      () => {},
    );
  });

  document.addEventListener("input", (e) => {
    const field = e.target;
    const element = field.closest && field.closest(`[${ATTR.CHANGE}]`);
    if (!element) return;
    const form = field.form || element.closest("form");
    // The params are read when the send fires, so a delayed send carries the last value.
    const fire = () => {
      const params = form ? formParams(form) : { [field.name]: fieldValue(field) };
      send(socket, status, element, ATTR.CHANGE, { ...params, ...valueParams(element) }).catch(() => {});
    };
    const paced = field.hasAttribute(ATTR.DEBOUNCE) || field.hasAttribute(ATTR.THROTTLE) ? field : element;
    rate.run(paced, ATTR.CHANGE, fire, true);
  });

  // A field's blur sends its pending change at once (capture: blur does not bubble).
  document.addEventListener("blur", (e) => e.target instanceof Element && rate.flushAround(e.target), true);

  bindKeys(document, rate, (element, binding, params) =>
    send(socket, status, element, binding, params).catch(() => {}),
  );
}
