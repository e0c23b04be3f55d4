// Live navigation: links marked roost-link, the browser's back and forward, and
// the URL changes the server asks for (push_patch, push_navigate), all without a
// page load. The server decides what a URL means for the tab (the same view
// takes its params, another view is mounted in its place, an unknown path is
// loaded as a page); this file only keeps the address bar and the server in step.
//   <a href="/notes/3" roost-link="navigate">   <a href="?sort=date" roost-link="patch">
import { ATTR, CLIENT } from "./protocol.js";

export class Navigation {
  constructor(window, socket) {
    this.window = window;
    this.socket = socket;
    window.document.addEventListener("click", (e) => this.click(e));
    window.addEventListener("popstate", () => this.visit(window.location.href));
  }

  // A plain left click on a roost-link of this site, while connected; anything
  // else (a new tab, another site, no socket) is left to the browser.
  click(e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
      return;
    }
    const link = e.target instanceof Element ? e.target.closest(`a[${ATTR.LINK}][href]`) : null;
    if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) return;
    const url = new URL(link.getAttribute("href"), this.window.location.href);
    if (url.origin !== this.window.location.origin || !this.socket.open) return;
    e.preventDefault();
    if (url.href !== this.window.location.href) this.window.history.pushState({}, "", url.href);
    this.visit(url.href);
  }

  // The address bar shows `href` already; the server makes the page match it.
  // Without a socket to ask, the browser loads it as a page.
  visit(href) {
    this.socket.request((ref) => [CLIENT.VISIT, ref, href]).catch(() => this.window.location.assign(href));
  }

  // The server moved the tab to `to` (push_patch, push_navigate).
  url(to, replace) {
    const href = new URL(to, this.window.location.href).href;
    if (href === this.window.location.href) return;
    if (replace) this.window.history.replaceState({}, "", href);
    else this.window.history.pushState({}, "", href);
  }
}
