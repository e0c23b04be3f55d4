// Key, focus, window and click-away bindings (docs/bindings.md). Params: the
// element's roost-value-*, and for a key, `key` and a field's `value`. Each goes
// through rate control (rate.js), then `send(element, binding, params)`.
import { ATTR } from "./protocol.js";
import { fieldValue, valueParams } from "./bindings.js";

const FIELD_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

function keyMatches(element, key) {
  const wanted = element.getAttribute(ATTR.KEY);
  return wanted === null || wanted.toLowerCase() === String(key).toLowerCase();
}

function keyParams(element, e) {
  const params = { key: e.key };
  if (FIELD_TAGS.has(element.tagName)) params.value = fieldValue(element);
  return { ...params, ...valueParams(element) };
}

export function bindKeys(document, rate, send) {
  const fire = (element, binding, params) => rate.run(element, binding, () => send(element, binding, params));
  const everywhere = (binding, paramsOf) => {
    for (const element of document.querySelectorAll(`[${binding}]`)) {
      const params = paramsOf(element);
      if (params) fire(element, binding, params);
    }
  };

  for (const [type, binding, windowBinding] of [
    ["keydown", ATTR.KEYDOWN, ATTR.WINDOW_KEYDOWN],
    ["keyup", ATTR.KEYUP, ATTR.WINDOW_KEYUP],
  ]) {
    document.addEventListener(type, (e) => {
      const element = e.target.closest && e.target.closest(`[${binding}]`);
      if (element && keyMatches(element, e.key)) fire(element, binding, keyParams(element, e));
    });
    window.addEventListener(type, (e) =>
      everywhere(windowBinding, (element) => keyMatches(element, e.key) && keyParams(element, e)),
    );
  }

  // Focus and blur do not bubble: caught on the way down, for their own element.
  for (const [type, binding, windowBinding] of [
    ["focus", ATTR.FOCUS, ATTR.WINDOW_FOCUS],
    ["blur", ATTR.BLUR, ATTR.WINDOW_BLUR],
  ]) {
    document.addEventListener(
      type,
      (e) => {
        const element = e.target;
        if (element instanceof Element && element.hasAttribute(binding)) {
          fire(element, binding, valueParams(element));
        }
      },
      true,
    );
    window.addEventListener(type, (e) => e.target === window && everywhere(windowBinding, valueParams));
  }

  document.addEventListener("click", (e) =>
    everywhere(ATTR.CLICK_AWAY, (element) => !element.contains(e.target) && valueParams(element)),
  );
}
