// Click, submit and change bindings (key, focus, window and click-away ones
// are in keys.js); docs/bindings.md says what each sends. An event goes to the
// actor whose container encloses the element, or to the nearest roost-target.
// roost-debounce / roost-throttle pace any binding (rate.js); a binding's value
// may be JS commands instead of an event name (commands.js). While the page is
// not connected nothing is sent or queued: the element gets <binding>-refused.
import { ATTR, CLIENT, FIELDS, TARGET_PARAM, VIEW_TARGET } from "./protocol.js";
import { DISCONNECTED } from "./socket.js";
import { Rate } from "./rate.js";
import { bindKeys } from "./keys.js";
import { parseCommands } from "./commands.js";

// Read by name: each item of `element.attributes` is an Attr node the browser makes and keeps.
export function valueParams(element) {
  const out = {};
  for (const name of element.getAttributeNames()) {
    if (name.startsWith(ATTR.VALUE_PREFIX)) out[name.slice(ATTR.VALUE_PREFIX.length)] = element.getAttribute(name);
  }
  return out;
}

// A name that can carry several values -- a <select multiple>, or several
// fields that are not radio buttons (a checkbox group) -- is sent as an array
// of strings, even with one value or none chosen, so that a handler's
// `list[str]` parameter always fits. A checkbox alone under its name and
// without a value attribute is sent as a boolean (checked or not), which a
// `bool` parameter takes. Every other name is sent as a string; of a hidden
// field and a checkbox under one name, the last one sent wins.
export function formParams(form) {
  const out = {};
  const { multiple, booleans } = kinds(form);
  for (const name of multiple) out[name] = [];
  for (const [name, field] of booleans) out[name] = field.checked;
  for (const [name, value] of new FormData(form)) {
    if (typeof value !== "string") {
      if (!form.querySelector(`input[name="${CSS.escape(name)}"][${ATTR.UPLOAD}]`)) warnFile(form, name);
      continue;
    }
    if (booleans.has(name)) continue;
    if (multiple.has(name)) out[name].push(value);
    else out[name] = value;
  }
  return out;
}

// A file input's files are not event params: said once per form and name,
// rather than dropped in silence.
const warned = new WeakMap();
function warnFile(form, name) {
  const names = warned.get(form) || new Set();
  if (names.has(name)) return;
  warned.set(form, names.add(name));
  console.warn(`roost: the file input ${JSON.stringify(name)} is not sent with the form's event`);
}

const SINGLE_OR_UNSENT = new Set(["radio", "submit", "button", "reset", "image", "file"]);

function kinds(form) {
  const count = new Map(); // name -> [fields not hidden, hidden ones, a lone checkbox]
  const multiple = new Set();
  for (const field of form.elements) {
    const name = field.name;
    if (!name || field.disabled || !["INPUT", "SELECT", "TEXTAREA"].includes(field.tagName)) continue;
    if (SINGLE_OR_UNSENT.has(field.type)) continue;
    if (field.type === "select-multiple") multiple.add(name);
    const c = count.get(name) || [0, 0, null];
    if (field.type === "hidden") c[1]++;
    else c[0]++;
    c[2] = field.type === "checkbox" && !field.hasAttribute("value") ? field : null;
    count.set(name, c);
  }
  const booleans = new Map();
  for (const [name, [shown, hidden, checkbox]] of count) {
    if (shown > 1 || (shown === 0 && hidden > 1)) multiple.add(name);
    else if (shown === 1 && hidden === 0 && checkbox) booleans.set(name, checkbox);
  }
  return { multiple, booleans };
}

// A field's own value, as formParams would send it.
export function fieldValue(field) {
  if (field.type === "select-multiple") return [...field.selectedOptions].map((o) => o.value);
  if (field.type === "checkbox") return field.hasAttribute("value") ? (field.checked ? field.value : "") : field.checked;
  return field.value;
}

export function targetOf(element) {
  const explicit = element.closest(`[${ATTR.TARGET}]`);
  if (explicit) return explicit.getAttribute(ATTR.TARGET);
  const container = element.closest(`[${ATTR.ID}]`);
  return container ? container.getAttribute(ATTR.ID) : null;
}

// What a binding does (`ctx`: { socket, status, commands }): run its JS commands, or send its event.
export function fire(ctx, element, binding, params) {
  const value = element.getAttribute(binding);
  const ops = parseCommands(value);
  if (ops) return ctx.commands.run(ops, element, binding, params);
  return send(ctx, element, binding, value, params);
}

// Send `event` with `params` to `target` for `element`'s `binding` (null for a
// hook's pushEvent). The promise settles with the handler's reply once the
// patches it caused are applied. Meanwhile the element has the class
// `<binding>-loading` (roost-click-loading, ...) and the view's container roost-loading.
export function send(ctx, element, binding, event, params, target = targetOf(element)) {
  if (target === null) return Promise.resolve();
  if (!ctx.socket.connected) {
    ctx.status.refuse(element, binding);
    return Promise.reject(DISCONNECTED);
  }
  // Sent first, the pending classes after (in the same task: the page shows
  // them in the same frame), so that the event leaves before the page's DOM
  // work. Pages style the pending state by these class names, so they must
  // stay the attribute's name plus -loading.
  const sent = ctx.socket.request((ref) => eventMessage(ref, target, event, params));
  const loading = binding && `${binding}-loading`;
  if (loading) element.classList.add(loading);
  ctx.status.loading(1);
  return sent.finally(() => {
    if (loading) element.classList.remove(loading);
    ctx.status.loading(-1);
  });
}

// An Event as the server's encoder writes one: the target left off when it is
// the view's, and then the params too when there are none ([1,1,"inc"]).
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

// Until `undo()`, the form's submit buttons with roost-disable-with are
// disabled and show its text (a patch that changed the text meanwhile wins).
function disableButtons(form) {
  const undo = [];
  for (const button of form.elements) {
    const text = button.getAttribute(ATTR.DISABLE_WITH);
    if (text === null || (button.type !== "submit" && button.type !== "image") || button.disabled) continue;
    const input = button.localName === "input";
    const saved = input ? button.value : [...button.childNodes];
    button.disabled = true;
    if (input) button.value = text;
    else button.replaceChildren(text);
    undo.push(() => {
      button.disabled = false;
      if (input && button.value === text) button.value = saved;
      else if (!input && button.textContent === text) button.replaceChildren(...saved);
    });
  }
  return () => undo.forEach((f) => f());
}

export function bind(document, ctx) {
  const rate = new Rate();
  const quietly = (sent) => sent.catch(() => {});
  document.addEventListener("click", (e) => {
    const element = e.target.closest && e.target.closest(`[${ATTR.CLICK}]`);
    if (!element) return;
    e.preventDefault();
    rate.run(element, ATTR.CLICK, () => quietly(fire(ctx, element, ATTR.CLICK, valueParams(element))));
  });

  // A submit is paced on its form like any binding. When it is sent, a debounced
  // change waiting in the form goes first, and the params are read then.
  document.addEventListener("submit", (e) => {
    const form = e.target.closest && e.target.closest(`[${ATTR.SUBMIT}]`);
    if (!form) return;
    e.preventDefault();
    const submitter = e.submitter;
    rate.run(form, ATTR.SUBMIT, () => {
      rate.flushAround(form);
      const params = { ...formParams(form), ...valueParams(form) };
      if (submitter && submitter.name) params[submitter.name] = submitter.value;
      const enable = disableButtons(form);
      const uploading = ctx.uploads && ctx.uploads.settled(form); // uploads.js
      const fired = () => fire(ctx, form, ATTR.SUBMIT, params);
      (uploading ? uploading.then(fired) : fired()).then(() => {
        enable();
        if (form.hasAttribute(ATTR.RESET)) form.reset();
      }, enable);
    });
  });

  document.addEventListener("input", (e) => {
    const field = e.target;
    const element = field.closest && field.closest(`[${ATTR.CHANGE}]`);
    if (!element) return;
    const form = field.form || element.closest("form");
    // The params are read when the send fires, so a delayed send carries the last value.
    const send = () => {
      const params = form ? formParams(form) : { [field.name]: fieldValue(field) };
      if (field.name) params[TARGET_PARAM] = field.name; // which field changed
      quietly(fire(ctx, element, ATTR.CHANGE, { ...params, ...valueParams(element) }));
    };
    const paced = field.hasAttribute(ATTR.DEBOUNCE) || field.hasAttribute(ATTR.THROTTLE) ? field : element;
    rate.run(paced, ATTR.CHANGE, send, true);
  });

  // A field's blur sends its pending change at once (capture: blur does not bubble).
  document.addEventListener("blur", (e) => e.target instanceof Element && rate.flushAround(e.target), true);

  bindKeys(document, rate, (element, binding, params) => quietly(fire(ctx, element, binding, params)));
}
