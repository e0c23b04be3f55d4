// Form recovery: after a rejoin (a new server process, a session past its
// grace, a resumed one), the first render of each actor would wipe what the
// user typed. Every form of it with a change binding keeps its fields' values
// across that render and re-sends them through its change binding, so the
// view rebuilds its state, as Phoenix does. A form's roost-auto-recover="ignore"
// opts out; any other value is the event sent instead.
import { ATTR, VALUE } from "./protocol.js";
import { formParams, valueParams } from "./bindings.js";

export class Recovery {
  // send(element, binding, event, params): send an event as the binding would.
  constructor(document, send) {
    this.document = document;
    this.send = send;
    this.pending = false;
    this.done = new Set();
  }

  // A join after the first is on its way: each target recovers once, at its first render.
  rejoining() {
    this.pending = true;
    this.done = new Set();
  }

  // Around the render of `target` in `root`: `change` replaces the content.
  around(target, root, change) {
    if (!this.pending || this.done.has(target)) return change();
    const before = formsOf(root);
    const saved = before.map((form, i) => [key(form, i), save(form)]);
    const active = this.document.activeElement;
    const at = active ? before.indexOf(active.form) : -1;
    const focus = at >= 0 ? { key: saved[at][0], name: active.name, start: selectionOf(active) } : null;
    change();
    this.done.add(target);
    const forms = new Map(formsOf(root).map((form, i) => [key(form, i), form]));
    for (const [k, values] of saved) {
      const form = forms.get(k);
      if (!form) continue;
      restore(form, values);
      if (focus && focus.key === k) refocus(form, focus);
      this.recover(form);
    }
  }

  recover(form) {
    const how = form.getAttribute(ATTR.AUTO_RECOVER);
    if (how === VALUE.IGNORE) return;
    const element = form.hasAttribute(ATTR.CHANGE) ? form : form.querySelector(`[${ATTR.CHANGE}]`);
    const event = how || element.getAttribute(ATTR.CHANGE);
    this.send(element, ATTR.CHANGE, event, { ...formParams(form), ...valueParams(element) });
  }
}

// The forms of this actor (not of a component inside it) with a change binding.
function formsOf(root) {
  return [...root.querySelectorAll("form")].filter(
    (form) =>
      form.closest(`[${ATTR.ID}]`) === root &&
      (form.hasAttribute(ATTR.CHANGE) || form.querySelector(`[${ATTR.CHANGE}]`)),
  );
}

function key(form, index) {
  return form.id ? `#${form.id}` : String(index);
}

// Each named field's state, by name and its place among the fields of that name.
function save(form) {
  const values = [];
  const seen = new Map();
  for (const field of form.elements) {
    if (!field.name || field.type === "file") continue;
    const n = seen.get(field.name) || 0;
    seen.set(field.name, n + 1);
    const state = { value: field.value, checked: field.checked };
    if (field.type === "select-multiple") state.selected = [...field.options].map((o) => o.selected);
    values.push([field.name, n, state]);
  }
  return values;
}

function restore(form, values) {
  const fields = new Map();
  for (const field of form.elements) {
    if (!field.name) continue;
    if (!fields.has(field.name)) fields.set(field.name, []);
    fields.get(field.name).push(field);
  }
  for (const [name, n, state] of values) {
    const field = (fields.get(name) || [])[n];
    if (!field || field.type === "file") continue;
    if (field.type === "checkbox" || field.type === "radio") field.checked = state.checked;
    else if (state.selected) [...field.options].forEach((o, i) => (o.selected = !!state.selected[i]));
    else if (!["submit", "button", "reset", "hidden"].includes(field.type)) field.value = state.value;
  }
}

function selectionOf(field) {
  try {
    return field.selectionStart;
  } catch {
    return null;
  }
}

function refocus(form, { name, start }) {
  const field = name && form.elements.namedItem(name);
  if (!field || typeof field.focus !== "function") return;
  field.focus({ preventScroll: true });
  try {
    if (start !== null && start !== undefined) field.setSelectionRange(start, start);
  } catch {
    // a field without a selection
  }
}
