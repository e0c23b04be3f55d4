"""A form with a checkbox group, a multi-select, radios and a text field."""

import json
from html import escape

from roost import App, LiveView, event

FORM = """
<form id="form" roost-submit="save">
  <input type="checkbox" name="tags" value="a" id="tag-a">
  <input type="checkbox" name="tags" value="b" id="tag-b">
  <input type="checkbox" name="tags" value="c" id="tag-c">
  <select name="sizes" id="sizes" multiple>
    <option value="s">s</option><option value="m">m</option><option value="l">l</option>
  </select>
  <input type="radio" name="color" value="red" checked>
  <input type="radio" name="color" value="blue" id="blue">
  <input type="checkbox" name="agree" value="yes" id="agree">
  <input name="note" id="note">
  <button id="save">save</button>
</form>
<pre id="got">{got}</pre>
<form id="pattern" roost-submit="pattern">
  <input type="hidden" name="done" value="false">
  <input type="checkbox" name="done" value="true" id="done">
  <input type="file" name="attachment">
  <button id="pattern-save">save</button>
</form>
<pre id="done-got">{done}</pre>
"""


class Forms(LiveView):
    def mount(self, params, session):
        self.got = ""
        self.done = ""

    @event
    def save(self, tags: list[str], sizes: list[str], color: str, note: str, agree: str = "no"):
        fields = {"tags": tags, "sizes": sizes, "color": color, "note": note, "agree": agree}
        self.got = json.dumps(fields, sort_keys=True)

    @event
    def pattern(self, done: bool):
        self.done = repr(done)

    def render(self):
        return FORM.format(got=escape(self.got), done=escape(self.done))


app = App({"/": Forms})
