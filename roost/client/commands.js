// JS commands (roost/render/js.py builds them): a binding whose value is a
// JSON list of [command, args] runs them here, without a round trip; only
// `push` reaches the server. What they change on an element is "sticky": a
// later patch of that element keeps it (see before/after).
const TIME = 200; // ms, as in js.py

// The commands a binding's value holds, or null when it is an event name.
export function parseCommands(value) {
  if (!value || value[0] !== "[") return null;
  try {
    const ops = JSON.parse(value);
    return Array.isArray(ops) ? ops.filter((op) => Array.isArray(op) && typeof op[0] === "string") : null;
  } catch {
    return null;
  }
}

export class Commands {
  // push(element, binding, event, params, target): send an event as the binding would.
  constructor(document, push) {
    this.document = document;
    this.push = push;
    // element -> { server: Map(attr -> value|null), classes: Map(name -> on), attrs: Map, display }
    this.sticky = new Map();
  }

  // Run `ops` for `element`'s `binding`, whose own params are `params`. The
  // promise settles with the last push's reply (or at once, without one).
  run(ops, element, binding, params) {
    let sent = Promise.resolve();
    for (const [kind, args = {}] of ops) {
      if (kind === "push") {
        const value = { ...params, ...(args.value || {}) };
        sent = this.push(element, binding, args.event, value, args.target ?? null);
        continue;
      }
      const command = COMMANDS[kind];
      if (!command) {
        console.warn("roost: unknown JS command", kind);
        continue;
      }
      const targets = args.to ? [...this.document.querySelectorAll(args.to)] : [element];
      for (const el of targets) command(this, el, args);
    }
    return sent;
  }

  state(el, ...attrs) {
    let state = this.sticky.get(el);
    if (!state) {
      state = { server: new Map(), classes: new Map(), attrs: new Map(), display: undefined };
      this.sticky.set(el, state);
    }
    for (const attr of attrs) if (!state.server.has(attr)) state.server.set(attr, el.getAttribute(attr));
    return state;
  }

  classes(el, names, on) {
    const state = this.state(el, "class");
    for (const name of String(names).split(/\s+/).filter(Boolean)) {
      const add = on === null ? !el.classList.contains(name) : on;
      state.classes.set(name, add);
      el.classList.toggle(name, add);
    }
  }

  attribute(el, name, value) {
    this.state(el, name).attrs.set(name, value);
    restore(el, name, value);
  }

  display(el, value) {
    this.state(el, "style").display = value;
    el.style.display = value;
  }

  show(el, { display, transition, time = TIME }) {
    let value = display;
    if (!value) {
      el.style.display = "";
      value = getComputedStyle(el).display === "none" ? "block" : "";
    }
    this.display(el, value);
    if (transition) this.transition(el, { names: transition, time });
  }

  hide(el, { transition, time = TIME }) {
    if (!transition) return this.display(el, "none");
    this.transition(el, { names: transition, time }, () => this.display(el, "none"));
  }

  transition(el, { names, time = TIME }, then = () => {}) {
    const list = String(names).split(/\s+/).filter(Boolean);
    el.classList.add(...list);
    setTimeout(() => {
      el.classList.remove(...list);
      then();
    }, time);
  }

  // Around a patch of `root`: the server's own values of what the commands
  // changed go back first (a patch may splice an attribute by offsets) ...
  before(root) {
    for (const [el, state] of this.sticky) {
      if (!el.isConnected) this.sticky.delete(el);
      else if (root.contains(el)) for (const [attr, value] of state.server) restore(el, attr, value);
    }
  }

  // ... and after it, the commands' changes are laid over the new server values.
  after(root) {
    for (const [el, state] of this.sticky) {
      if (!el.isConnected || !root.contains(el)) continue;
      for (const attr of state.server.keys()) state.server.set(attr, el.getAttribute(attr));
      for (const [name, on] of state.classes) el.classList.toggle(name, on);
      for (const [attr, value] of state.attrs) restore(el, attr, value);
      if (state.display !== undefined) el.style.display = state.display;
    }
  }
}

function restore(el, attr, value) {
  if (value === null) el.removeAttribute(attr);
  else if (el.getAttribute(attr) !== value) el.setAttribute(attr, value);
}

// Each command: (commands, element, args).
const COMMANDS = {
  show: (c, el, args) => c.show(el, args),
  hide: (c, el, args) => c.hide(el, args),
  toggle: (c, el, args) => (getComputedStyle(el).display === "none" ? c.show(el, args) : c.hide(el, args)),
  add_class: (c, el, { names }) => c.classes(el, names, true),
  remove_class: (c, el, { names }) => c.classes(el, names, false),
  toggle_class: (c, el, { names }) => c.classes(el, names, null),
  set_attribute: (c, el, { name, value }) => c.attribute(el, name, String(value)),
  remove_attribute: (c, el, { name }) => c.attribute(el, name, null),
  transition: (c, el, args) => c.transition(el, args),
  focus: (c, el) => el.focus(),
  dispatch: (c, el, { event, detail }) => el.dispatchEvent(new CustomEvent(event, { bubbles: true, detail })),
};
