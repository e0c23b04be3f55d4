// The search page's JS hooks. A classic script, loaded before roost's client,
// registers them in window.Roost.hooks.
(() => {
  const Roost = (window.Roost = window.Roost || {});
  Roost.hooks = Roost.hooks || {};

  // A field that takes typed text: "/" typed there is a "/", not the shortcut.
  const TYPING = "textarea, select, [contenteditable], input:not([type=checkbox], [type=radio], [type=button], [type=submit], [type=reset])";

  function typing(target) {
    return target instanceof Element && target.closest(TYPING) !== null;
  }

  // On the box: "/" anywhere else on the page focuses it, and is not typed
  // into it (preventDefault). The form's Escape binding dispatches
  // "search:clear" to the box, which empties it here before the binding's
  // "clear" event goes to the server: a debounced change still pending then
  // sends the empty box, not what was typed before.
  Roost.hooks.SearchBox = {
    mounted() {
      this.onKey = (e) => {
        if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
        e.preventDefault();
        this.el.focus();
        this.el.select();
      };
      window.addEventListener("keydown", this.onKey);
      this.el.addEventListener("search:clear", () => {
        this.el.value = "";
      });
    },
    destroyed() {
      window.removeEventListener("keydown", this.onKey);
    },
  };

  // On the results list: marks every match of its data-q in each .title with
  // the CSS Custom Highlight API (styled by ::highlight(search)). It sets
  // ranges only and never changes the DOM the server patches.
  const HIGHLIGHT = "search";

  Roost.hooks.Highlight = {
    mounted() {
      this.paint();
    },
    updated() {
      this.paint();
    },
    destroyed() {
      if (window.CSS && CSS.highlights) CSS.highlights.delete(HIGHLIGHT);
    },
    paint() {
      if (!window.CSS || !CSS.highlights) return; // no highlights: the list still filters
      const needle = (this.el.dataset.q || "").toLowerCase();
      const ranges = [];
      if (needle) {
        for (const title of this.el.querySelectorAll(".title")) {
          const text = title.firstChild;
          if (!text || text.nodeType !== Node.TEXT_NODE) continue;
          const hay = text.data.toLowerCase();
          for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, at + needle.length)) {
            const range = new Range();
            range.setStart(text, at);
            range.setEnd(text, at + needle.length);
            ranges.push(range);
          }
        }
      }
      if (ranges.length) CSS.highlights.set(HIGHLIGHT, new Highlight(...ranges));
      else CSS.highlights.delete(HIGHLIGHT);
    },
  };
})();
