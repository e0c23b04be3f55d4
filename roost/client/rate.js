// Rate control for bindings: roost-debounce and roost-throttle on the element.
// A debounced send waits for quiet (or for blur) and carries the latest call;
// a pending one is flushed at once by flushAround (its form's submit, a blur).
import { ATTR } from "./protocol.js";

const BLUR = "blur";

export class Rate {
  constructor() {
    // element -> Map(binding -> { fire, timer }): the debounced sends waiting.
    this.pending = new Map();
    // element -> Map(binding -> { timer, fire }): the throttle windows open.
    this.windows = new Map();
  }

  // Send now, later or never, as `element`'s rate attributes say. `fire` sends;
  // `trailing` (for values) sends the last call a throttle window dropped
  // when the window ends, so the last value always arrives.
  run(element, binding, fire, trailing = false) {
    const debounce = element.getAttribute(ATTR.DEBOUNCE);
    if (debounce !== null) return this.debounce(element, binding, debounce, fire);
    const throttle = element.getAttribute(ATTR.THROTTLE);
    if (throttle !== null) return this.throttle(element, binding, milliseconds(throttle), fire, trailing);
    fire();
  }

  debounce(element, binding, value, fire) {
    const entries = entriesOf(this.pending, element);
    const entry = entries.get(binding) || { fire, timer: null };
    entry.fire = fire;
    clearTimeout(entry.timer);
    if (value.trim().toLowerCase() !== BLUR) {
      entry.timer = setTimeout(() => this.flush(element, binding), milliseconds(value));
    }
    entries.set(binding, entry);
  }

  throttle(element, binding, ms, fire, trailing) {
    const windows = entriesOf(this.windows, element);
    const open = windows.get(binding);
    if (open) {
      if (trailing) open.fire = fire;
      return;
    }
    fire();
    const window = { fire: null, timer: null };
    window.timer = setTimeout(() => {
      windows.delete(binding);
      if (windows.size === 0) this.windows.delete(element);
      if (window.fire) this.run(element, binding, window.fire, trailing);
    }, ms);
    windows.set(binding, window);
  }

  flush(element, binding) {
    const entries = this.pending.get(element);
    const entry = entries && entries.get(binding);
    if (!entry) return;
    clearTimeout(entry.timer);
    entries.delete(binding);
    if (entries.size === 0) this.pending.delete(element);
    entry.fire();
  }

  // Send at once what waits on `node`, on an element inside it, or on an
  // element around it (a field's blur flushes its form's change binding).
  flushAround(node) {
    for (const [element, entries] of [...this.pending]) {
      if (element === node || element.contains(node) || node.contains(element)) {
        for (const binding of [...entries.keys()]) this.flush(element, binding);
      }
    }
  }
}

function entriesOf(map, element) {
  let entries = map.get(element);
  if (!entries) map.set(element, (entries = new Map()));
  return entries;
}

function milliseconds(value) {
  const ms = Number.parseInt(value, 10);
  return Number.isFinite(ms) && ms >= 0 ? ms : 0;
}
