// Uploads (docs/bindings.md): files chosen in a file input with roost-upload,
// or dropped on a roost-drop-target, are checked by the server (names, sizes,
// types) before any byte goes; then each accepted file goes in chunks, one in
// flight at a time: at once, or on its form's submit (auto_upload=False). An
// external upload's files go to storage through window.Roost.uploaders[meta.uploader]
// instead, and its progress is reported. Each chunk or report answered fires
// roost:upload-progress ({ ref, name, loaded, size }) on the input or zone.
import { ATTR, CLIENT, ERROR, FIELDS } from "./protocol.js";
import { targetOf } from "./bindings.js";

const RETRY_MS = 100; // a request refused as rate_limited or overloaded goes again after this
const DRAG_CLASS = `${ATTR.DROP_TARGET}-active`;

export class Uploads {
  constructor(document, ctx) {
    this.ctx = ctx;
    this.running = new Map(); // input or drop target -> the promise of its upload
    this.deferred = new Map(); // input or drop target -> its checked files, sent on submit
    document.addEventListener("change", (e) => {
      const input = e.target;
      if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.hasAttribute(ATTR.UPLOAD)) return;
      this.choose(input, input.getAttribute(ATTR.UPLOAD), [...input.files]);
    });
    document.addEventListener("dragover", (e) => {
      const zone = dropTarget(e);
      if (!zone || !hasFiles(e)) return;
      e.preventDefault(); // allows the drop
      zone.classList.add(DRAG_CLASS);
    });
    document.addEventListener("dragleave", (e) => {
      const zone = dropTarget(e);
      if (zone && !zone.contains(e.relatedTarget)) zone.classList.remove(DRAG_CLASS);
    });
    document.addEventListener("drop", (e) => {
      const zone = dropTarget(e);
      if (!zone) return;
      e.preventDefault(); // or the browser opens the file
      zone.classList.remove(DRAG_CLASS);
      if (e.dataTransfer && e.dataTransfer.files.length) this.dropped(zone, e.dataTransfer.files);
    });
  }

  // Files dropped on `zone`: into the upload's file input when the view has one
  // (the user sees them there and its form sends them), else straight to the upload.
  dropped(zone, files) {
    const name = zone.getAttribute(ATTR.DROP_TARGET);
    const input = inputFor(zone, name);
    if (!input) return this.choose(zone, name, [...files]);
    input.files = files;
    // As a choice in the input does: change bindings hear "input", uploads "change".
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  choose(element, name, files) {
    this.deferred.delete(element); // a new choice replaces one not sent yet
    for (const gone of this.deferred.keys()) if (!gone.isConnected) this.deferred.delete(gone);
    this.track(element, this.check(element, name, files));
  }

  track(element, promise) {
    const run = promise.catch((e) => console.warn("roost: upload failed:", e));
    this.running.set(element, run);
    run.finally(() => this.running.get(element) === run && this.running.delete(element));
  }

  // A promise that resolves once every upload in `form` has ended, deferred
  // ones started (after the checks still on their way); null when there is none.
  settled(form) {
    const mine = (map) => [...map].filter(([element]) => form.contains(element));
    const checking = mine(this.running).map(([, run]) => run);
    if (!checking.length && !mine(this.deferred).length) return null;
    return Promise.all(checking).then(() => {
      for (const [element, upload] of mine(this.deferred)) {
        this.deferred.delete(element);
        this.track(element, this.sendAll(element, upload));
      }
      return Promise.all(mine(this.running).map(([, run]) => run));
    });
  }

  async check(element, name, files) {
    const target = targetOf(element);
    const socket = this.ctx.socket;
    if (target === null || !socket.connected) return;
    const infos = files.map((f) => [f.name, f.size, f.type]);
    const reply = await socket.request((ref) => [CLIENT.UPLOAD, ref, name, infos, target]);
    const upload = {
      target,
      files,
      refs: (reply && reply.refs) || [],
      chunkSize: reply && reply.chunk_size,
      external: (reply && reply.external) || [],
    };
    if (reply && reply.auto === false) this.deferred.set(element, upload);
    else await this.sendAll(element, upload);
  }

  async sendAll(element, { target, files, refs, chunkSize, external }) {
    for (let i = 0; i < files.length; i++) {
      if (!refs[i]) continue;
      if (external[i]) await this.sendElsewhere(element, target, refs[i], files[i], external[i]);
      else await this.send(element, target, refs[i], files[i], chunkSize);
    }
  }

  // An external entry: the uploader sends the file to its storage and calls
  // progress(loaded) as it goes; the server hears the latest value, one report
  // in flight at a time, and the whole size once the uploader has resolved.
  async sendElsewhere(element, target, ref, file, meta) {
    const uploader = ((window.Roost || {}).uploaders || {})[meta.uploader];
    if (typeof uploader !== "function") {
      console.error(`roost: no uploader ${JSON.stringify(meta.uploader)} in window.Roost.uploaders`);
      return;
    }
    let reported = 0;
    let latest = 0;
    let sending = null;
    let stopped = false;
    const flush = async () => {
      while (!stopped && latest > reported) {
        const loaded = latest;
        try {
          await insist(this.ctx.socket, (r) => progressMessage(r, ref, loaded, target));
        } catch {
          stopped = true; // cancelled on the server (no_upload), or refused
          return;
        }
        reported = loaded;
        progressed(element, ref, file, loaded);
      }
    };
    const progress = (loaded) => {
      latest = Math.max(latest, Math.min(Number(loaded) || 0, file.size));
      if (!sending) sending = flush().finally(() => (sending = null));
    };
    await uploader({ file, meta, ref, progress });
    progress(file.size);
    while (sending) await sending;
  }

  // One file, a chunk at a time: the next is read and sent once the last is answered.
  async send(element, target, ref, file, chunkSize) {
    let offset = 0;
    while (offset < file.size) {
      const piece = file.slice(offset, offset + chunkSize);
      const data = await base64(piece);
      try {
        await insist(this.ctx.socket, (r) => chunkMessage(r, ref, offset, data, target));
      } catch (code) {
        if (code === ERROR.NO_UPLOAD) return; // cancelled (or replaced) on the server
        throw code;
      }
      offset += piece.size;
      progressed(element, ref, file, offset);
    }
  }
}

// A request, sent again a moment later while the server is too busy for it.
async function insist(socket, build) {
  for (;;) {
    try {
      return await socket.request(build);
    } catch (code) {
      if (code !== ERROR.RATE_LIMITED && code !== ERROR.OVERLOADED) throw code;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

function progressed(element, ref, file, loaded) {
  const detail = { ref, name: file.name, loaded, size: file.size };
  element.dispatchEvent(new CustomEvent("roost:upload-progress", { bubbles: true, detail }));
}

function dropTarget(e) {
  return e.target instanceof Element ? e.target.closest(`[${ATTR.DROP_TARGET}]`) : null;
}

function hasFiles(e) {
  return !!e.dataTransfer && [...e.dataTransfer.types].includes("Files");
}

// The file input of upload `name` in the same actor's content as `zone`.
function inputFor(zone, name) {
  const target = targetOf(zone);
  const container = zone.closest(`[${ATTR.ID}]`);
  if (!container) return null;
  const selector = `input[type=file][${ATTR.UPLOAD}="${CSS.escape(name)}"]`;
  return [...container.querySelectorAll(selector)].find((input) => targetOf(input) === target) || null;
}

// A client message as an array, each value at its field's position (FIELDS).
function message(tag, fields, values) {
  const out = [tag];
  for (const [name, value] of Object.entries(values)) out[fields[name]] = value;
  return out;
}

function progressMessage(ref, entry, loaded, target) {
  return message(CLIENT.PROGRESS, FIELDS.PROGRESS, { REF: ref, ENTRY: entry, LOADED: loaded, TARGET: target });
}

function chunkMessage(ref, entry, offset, data, target) {
  return message(CLIENT.CHUNK, FIELDS.CHUNK, { REF: ref, ENTRY: entry, OFFSET: offset, DATA: data, TARGET: target });
}

// A blob's bytes as base64, without the data URL's head.
function base64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.slice(reader.result.indexOf(",") + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
