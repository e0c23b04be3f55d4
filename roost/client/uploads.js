// File inputs bound to an upload (roost-upload="name"): on a choice, the files'
// names, sizes and types go first (the server refuses what does not fit before
// any byte is sent); then each accepted file in chunks, one in flight at a time.
//   the input gets roost:upload-progress events: detail { ref, name, loaded, size }
//   a form's submit waits until its inputs' uploads have ended (settled(form))
import { ATTR, CLIENT, ERROR, FIELDS } from "./protocol.js";
import { targetOf } from "./bindings.js";

const RETRY_MS = 100; // a chunk refused as rate_limited or overloaded is sent again after this

export class Uploads {
  constructor(document, ctx) {
    this.ctx = ctx;
    this.running = new Map(); // input -> the promise of its upload
    document.addEventListener("change", (e) => {
      const input = e.target;
      if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.hasAttribute(ATTR.UPLOAD)) return;
      const run = this.upload(input, [...input.files]).catch((e) => console.warn("roost: upload failed:", e));
      this.running.set(input, run);
      run.finally(() => this.running.get(input) === run && this.running.delete(input));
    });
  }

  // A promise that resolves once every upload of a file input in `form` has
  // ended; null when none is running.
  settled(form) {
    const runs = [...this.running].filter(([input]) => form.contains(input)).map(([, run]) => run);
    return runs.length ? Promise.all(runs) : null;
  }

  async upload(input, files) {
    const target = targetOf(input);
    const socket = this.ctx.socket;
    if (target === null || !socket.connected) return;
    const name = input.getAttribute(ATTR.UPLOAD);
    const infos = files.map((f) => [f.name, f.size, f.type]);
    const reply = await socket.request((ref) => [CLIENT.UPLOAD, ref, name, infos, target]);
    const refs = (reply && reply.refs) || [];
    for (let i = 0; i < files.length; i++) {
      if (refs[i]) await this.send(input, target, refs[i], files[i], reply.chunk_size);
    }
  }

  // One file, a chunk at a time: the next is read and sent once the last is answered.
  async send(input, target, ref, file, chunkSize) {
    let offset = 0;
    while (offset < file.size) {
      const piece = file.slice(offset, offset + chunkSize);
      const data = await base64(piece);
      try {
        await this.ctx.socket.request((r) => chunkMessage(r, ref, offset, data, target));
      } catch (code) {
        if (code === ERROR.RATE_LIMITED || code === ERROR.OVERLOADED) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          continue;
        }
        if (code === ERROR.NO_UPLOAD) return; // cancelled (or replaced) on the server
        throw code;
      }
      offset += piece.size;
      const detail = { ref, name: file.name, loaded: offset, size: file.size };
      input.dispatchEvent(new CustomEvent("roost:upload-progress", { bubbles: true, detail }));
    }
  }
}

function chunkMessage(ref, entry, offset, data, target) {
  const f = FIELDS.CHUNK;
  const message = [CLIENT.CHUNK];
  message[f.REF] = ref;
  message[f.ENTRY] = entry;
  message[f.OFFSET] = offset;
  message[f.DATA] = data;
  message[f.TARGET] = target;
  return message;
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
