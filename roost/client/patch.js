// Apply one actor's patch ops to its container element, with the same rules
// as roost/render/apply.py (the op table is documented in roost/render/ops.py).
//
// Text and attributes are set through the DOM (nodeValue, setAttribute); HTML
// is parsed only for insert/replace, in an inert <template>. Form state rule:
// the focused input/textarea/select keeps what the user typed; elsewhere
// value/checked/selected are set as properties too, so the UI shows them.
//
// roost-update="ignore": the browser owns that element's attributes and
// children. An op whose path reaches into it (or sets its attributes) is
// skipped; the element itself keeps its index among its siblings, so every
// other path stays right, and replacing or removing it still applies.

import { ATTR, ATTR_NAMES, OP, VALUE } from "./protocol.js";

const HTML_NS = "http://www.w3.org/1999/xhtml";
const SVG_NS = "http://www.w3.org/2000/svg";
const MATH_NS = "http://www.w3.org/1998/Math/MathML";
const ATTR_NS = {
  xlink: "http://www.w3.org/1999/xlink",
  xml: "http://www.w3.org/XML/1998/namespace",
  xmlns: "http://www.w3.org/2000/xmlns/",
};
const SVG_HTML_POINTS = new Set(["foreignObject", "desc", "title"]);
const MATH_TEXT_POINTS = new Set(["mi", "mo", "mn", "ms", "mtext"]);

/** Whether `ops` only change texts and attributes, other than the boundary
 * attribute of a child actor and a hook's name: then no element is made or
 * dropped, no child's boundary recreated and no hook brought or taken away. */
export function inPlace(ops) {
  for (const op of ops) {
    const code = op[0];
    if (code === OP.TEXT || code === OP.SPLICE) {
      if (code === OP.SPLICE && op.length > 5 && structural(op[5])) return false;
    } else if (code === OP.SET_ATTR) {
      for (let i = 2; i < op.length; i += 2) if (structural(op[i])) return false;
    } else if (code === OP.REMOVE_ATTR) {
      for (let i = 2; i < op.length; i++) if (structural(op[i])) return false;
    } else {
      return false;
    }
  }
  return true;
}

const structural = (name) => [ATTR.ID, ATTR.HOOK].includes(attrName(name));

/** Apply `ops` (a list of [opcode, path, ...args]) to the container `root`. */
export function applyPatches(root, ops) {
  const active = document.activeElement;
  const focus = active && root.contains(active) ? saveFocus(active) : null;
  const textareas = new Set();
  for (const op of ops) applyOp(root, op, focus, textareas);
  for (const area of textareas) {
    if (area !== active && area.isConnected) area.value = area.textContent;
  }
  if (focus) restoreFocus(focus);
}

function applyOp(root, op, focus, textareas) {
  const code = op[0];
  const path = op[1];
  if (code === OP.REPLACE && path.length === 0) {
    root.replaceChildren(parseContent(op[2]));
    return;
  }
  if (code === OP.INSERT || code === OP.REMOVE || code === OP.MOVE || code === OP.REPLACE) {
    const parent = resolve(root, path, path.length - 1);
    if (parent === IGNORED) return;
    const list = childList(parent);
    const index = path[path.length - 1];
    const node = list.childNodes[index] || null;
    if (code === OP.INSERT) {
      list.insertBefore(parseFor(parent, rows(op[2]).join("")), node);
    } else if (!node) {
      throw new Error(`roost patch: no node at ${JSON.stringify(path)}`);
    } else if (code === OP.REMOVE) {
      for (let n = op.length > 2 ? op[2] : 1, next = node; n > 0; n--) {
        const after = next.nextSibling;
        next.remove();
        next = after;
      }
    } else if (code === OP.MOVE) {
      const to = op[2];
      const ref = list.childNodes[to < index ? to : to + 1] || null;
      moveBefore(list, node, ref);
    } else {
      list.replaceChild(parseFor(parent, op[2]), node);
    }
    if (parent.localName === "textarea") textareas.add(parent);
    return;
  }
  const node = resolve(root, path, path.length);
  if (node === IGNORED) return;
  if (code === OP.STREAM) return applyStream(node, op);
  if (code === OP.TEXT) {
    node.nodeValue = op[2];
    const parent = node.parentNode;
    if (parent && parent.localName === "textarea") textareas.add(parent);
  } else if (code === OP.SET_ATTR) {
    for (let i = 2; i < op.length; i += 2) setAttr(node, attrName(op[i]), op[i + 1], focus);
  } else if (code === OP.REMOVE_ATTR) {
    for (let i = 2; i < op.length; i++) removeAttr(node, attrName(op[i]), focus);
  } else if (code === OP.SPLICE) {
    const splice = (value) => value.slice(0, op[2]) + op[4] + value.slice(op[2] + op[3]);
    if (op.length > 5) {
      const name = attrName(op[5]);
      setAttr(node, name, splice(node.getAttribute(name) ?? ""), focus);
    } else {
      node.nodeValue = splice(node.nodeValue);
      const parent = node.parentNode;
      if (parent && parent.localName === "textarea") textareas.add(parent);
    }
  } else {
    throw new Error(`roost patch: unknown op ${code}`);
  }
}

// An op's attribute name: itself, or its index in ATTR_NAMES (the common ones).
function attrName(name) {
  if (typeof name === "string") return name;
  const known = ATTR_NAMES[name];
  if (known === undefined) throw new Error(`roost patch: unknown attribute name ${name}`);
  return known;
}

// A stream's container (roost-update="stream"): the server keeps no copy of
// its children; they are matched by id (roost/render/ops.py, STREAM).
function applyStream(container, [, , items, at, limit, deletes, reset]) {
  if (reset) container.replaceChildren();
  for (const id of deletes) document.getElementById(id)?.remove();
  for (const html of rows(items)) {
    const fresh = parseFor(container, html).firstElementChild;
    if (!fresh) continue;
    const old = fresh.id ? [...container.children].find((el) => el.id === fresh.id) : null;
    if (old) old.replaceWith(fresh);
    else if (at === -1 || at >= container.children.length) container.append(fresh);
    else container.insertBefore(fresh, container.children[at]);
  }
  if (limit !== null && limit !== undefined) {
    const kids = [...container.children];
    const drop = limit >= 0 ? kids.slice(limit) : kids.slice(0, Math.max(0, kids.length + limit));
    for (const el of drop) el.remove();
  }
}

// An INSERT's HTML or a STREAM's items: one string, a list of them, or rows
// sharing their markup, {s: statics, d: [[dynamic, ...] or "whole row", ...]}
// (roost/render/statics.py): row = s[0] + d[0] + s[1] + ... + s[n].
function rows(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value;
  const { s, d } = value;
  return d.map((row) => {
    if (typeof row === "string") return row;
    if (row.length !== s.length - 1) throw new Error("roost patch: malformed shared rows");
    let html = s[0];
    for (let i = 0; i < row.length; i++) html += row[i] + s[i + 1];
    return html;
  });
}

// A <template>'s children in our paths are its content.
function childList(node) {
  return node.localName === "template" && node.namespaceURI === HTML_NS ? node.content : node;
}

// What resolve gives for a path that reaches an ignored element.
const IGNORED = Symbol("ignored");

function resolve(root, path, upto) {
  let node = root;
  for (let i = 0; i < upto; i++) {
    node = childList(node).childNodes[path[i]];
    if (!node) throw new Error(`roost patch: no node at ${JSON.stringify(path)}`);
    if (node.nodeType === 1 && node.getAttribute(ATTR.UPDATE) === VALUE.IGNORE) return IGNORED;
  }
  return node;
}

function childNamespace(el) {
  const ns = el.namespaceURI;
  if (ns === SVG_NS) return SVG_HTML_POINTS.has(el.localName) ? HTML_NS : SVG_NS;
  if (ns === MATH_NS) {
    if (MATH_TEXT_POINTS.has(el.localName)) return HTML_NS;
    if (el.localName === "annotation-xml") {
      const enc = (el.getAttribute("encoding") || "").toLowerCase();
      if (enc === "text/html" || enc === "application/xhtml+xml") return HTML_NS;
    }
    return MATH_NS;
  }
  return HTML_NS;
}

// Parse server HTML the inert way: a <template> never runs scripts or loads
// images. Children of SVG/MathML parents are parsed inside a wrapper.
function parseFor(parent, html) {
  const template = document.createElement("template");
  const ns = childNamespace(parent);
  if (ns === HTML_NS) {
    template.innerHTML = html;
    return template.content;
  }
  const tag = ns === SVG_NS ? "svg" : "math";
  template.innerHTML = `<${tag}>${html}</${tag}>`;
  const fragment = document.createDocumentFragment();
  fragment.append(...template.content.firstChild.childNodes);
  return fragment;
}

// The whole content, parsed as a <div>'s (as a fresh render is) in an inert
// document: nothing runs or loads until the nodes are adopted.
let inertDocument = null;
function parseContent(html) {
  inertDocument ??= document.implementation.createHTMLDocument("");
  const div = inertDocument.createElement("div");
  div.innerHTML = html;
  const fragment = document.createDocumentFragment();
  fragment.append(...div.childNodes);
  return fragment;
}

function moveBefore(parent, node, ref) {
  // moveBefore keeps focus, selection and iframe/media state where available.
  if (typeof parent.moveBefore === "function") {
    try {
      parent.moveBefore(node, ref);
      return;
    } catch (_) {
      // not connected, or across documents: fall back to a plain insert
    }
  }
  parent.insertBefore(node, ref);
}

function setAttr(el, name, value, focus) {
  const colon = name.indexOf(":");
  const prefix = colon > 0 ? name.slice(0, colon) : name === "xmlns" ? "xmlns" : "";
  if (prefix in ATTR_NS && el.namespaceURI !== HTML_NS) {
    el.setAttributeNS(ATTR_NS[prefix], name, value);
  } else {
    try {
      el.setAttribute(name, value);
    } catch (_) {
      setOddAttr(el, name, value);
    }
  }
  syncProperty(el, name, true, value, focus);
}

function removeAttr(el, name, focus) {
  el.removeAttribute(name);
  syncProperty(el, name, false, "", focus);
}

// Names the HTML parser accepts but setAttribute rejects (e.g. "@click"):
// let the inert parser build the attribute, then move it over.
function setOddAttr(el, name, value) {
  const template = document.createElement("template");
  const quoted = value.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  template.innerHTML = `<b ${name.replace(/[\s>/=]/g, "")}="${quoted}"></b>`;
  const attr = template.content.firstChild.attributes[0];
  if (!attr) return;
  template.content.firstChild.removeAttributeNode(attr);
  el.setAttributeNode(attr);
}

// Form state rule: the focused control keeps its live value (restored in
// restoreFocus); any other control shows what the server says.
function syncProperty(el, name, present, value, focus) {
  const tag = el.localName;
  if (name === "value" && tag === "input") {
    if (!isFocused(el, focus)) el.value = present ? value : "";
  } else if (name === "checked" && tag === "input") {
    if (!isFocused(el, focus)) el.checked = present;
  } else if (name === "selected" && tag === "option") {
    const select = el.closest("select");
    if (!isFocused(select, focus)) el.selected = present;
  }
}

function isFocused(el, focus) {
  return focus !== null && el !== null && focus.el === el;
}

function saveFocus(el) {
  const state = { el, value: undefined, checked: undefined, start: null, end: null };
  const tag = el.localName;
  if (tag === "input" || tag === "textarea" || tag === "select") {
    state.value = el.value;
    if (tag === "input") state.checked = el.checked;
    try {
      state.start = el.selectionStart;
      state.end = el.selectionEnd;
    } catch (_) {
      // input types without a selection (checkbox, number …)
    }
  }
  return state;
}

function restoreFocus(state) {
  const el = state.el;
  if (!el.isConnected) return;
  if (state.value !== undefined && el.value !== state.value) el.value = state.value;
  if (state.checked !== undefined && el.checked !== state.checked) el.checked = state.checked;
  if (document.activeElement !== el) el.focus({ preventScroll: true });
  if (state.start !== null && el.selectionStart !== state.start) {
    try {
      el.setSelectionRange(state.start, state.end);
    } catch (_) {
      // the element's type changed to one without a selection
    }
  }
}
