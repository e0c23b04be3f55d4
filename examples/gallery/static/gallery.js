// The gallery's hook: a preview of each chosen image, from the browser's own
// copy, before (and while) it uploads. Its box is roost-update="ignore": the
// server's patches leave it to this hook.
(() => {
  const Roost = (window.Roost = window.Roost || {});
  Roost.hooks = Roost.hooks || {};
  Roost.hooks.Preview = {
    mounted() {
      this.urls = [];
      this.el.addEventListener("change", () => this.show());
    },
    show() {
      const box = document.getElementById("previews");
      for (const url of this.urls) URL.revokeObjectURL(url);
      this.urls = [...this.el.files].map((file) => URL.createObjectURL(file));
      box.replaceChildren(
        ...this.urls.map((url) => Object.assign(document.createElement("img"), { src: url, alt: "preview" })),
      );
    },
    destroyed() {
      for (const url of this.urls) URL.revokeObjectURL(url);
    },
  };
})();
