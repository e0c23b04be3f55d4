"""Tricky (old, new) content pairs for the browser patch test.

Each entry is ``(name, old_html, new_html)``: an actor's content before and
after a render. The browser test applies ``diff_html(old, new)`` with
patch.js and compares the DOM with ``new`` loaded fresh.
"""

from __future__ import annotations

ROWS = "".join(f'<tr data-key="r{i}"><td>{i}</td><td>row {i}</td></tr>' for i in range(6))
ROWS_REORDERED = "".join(
    f'<tr data-key="r{i}"><td>{i}</td><td>row {i}</td></tr>' for i in (5, 0, 2, 1, 4, 3)
)


def _todo(i: int, title: str) -> str:
    return (
        f'<li data-key="t{i}" class="{"done" if i % 3 == 0 else ""}"><span>{title}</span>\n'
        f'<button roost-click="remove" roost-value-id="{i}" aria-label="remove {title}">'
        "\u00d7</button></li>\n"
    )


TITLES = ["milk &amp; eggs", "call &lt;Bob&gt;", "", "naïve café ☕", "  spaced  ", "a\nb"]
SHARED_ROWS = [
    (
        "keyed-append-with-whitespace",
        "<ul>\n" + _todo(0, "first") + "</ul>",
        "<ul>\n" + "".join(_todo(i, TITLES[i % 6] + str(i)) for i in range(12)) + "</ul>",
    ),
    (
        "keyed-prepend-and-middle",
        '<ul><li data-key="m">m</li></ul>',
        "<ul>"
        + "".join(f'<li data-key="a{i}" title="{i}">a {i}</li>' for i in range(5))
        + '<li data-key="m">m</li>'
        + "".join(f'<li data-key="b{i}" title="{i}">b {i}</li>' for i in range(4))
        + "</ul>",
    ),
    (
        "unkeyed-append-with-an-outlier-row",
        "<ol><li>0</li></ol>",
        "<ol>"
        + "".join(f'<li class="c{i}">{i}</li>' for i in range(1, 6))
        + "<li><b>bold</b> outlier</li>"
        + "".join(f'<li class="c{i}">{i}</li>' for i in range(7, 10))
        + "</ol>",
    ),
    (
        "table-rows",
        "<table><tbody>" + ROWS + "</tbody></table>",
        "<table><tbody>"
        + ROWS
        + "".join(f'<tr data-key="n{i}"><td>{i}</td><td>new {i}</td></tr>' for i in range(8))
        + "</tbody></table>",
    ),
    (
        "svg-circles",
        '<svg viewBox="0 0 10 10"></svg>',
        '<svg viewBox="0 0 10 10">'
        + "".join(f'<circle cx="{i}" cy="5" r="1"></circle>' for i in range(6))
        + "</svg>",
    ),
    (
        "identical-rows",
        "<div></div>",
        "<div>" + "<hr><p>same</p>" * 5 + "</div>",
    ),
]

CORPUS: list[tuple[str, str, str]] = [
    ("text", "<p>Count: 1</p>", "<p>Count: 2</p>"),
    (
        "attr-set-and-remove",
        '<a href="/a" class="x" title="t">a</a>',
        '<a href="/b" class="x y">a</a>',
    ),
    (
        "insert-and-remove",
        "<ul><li>a</li><li>b</li></ul>",
        "<ul><li>a</li><li>x</li><li>b</li><li>c</li></ul>",
    ),
    ("replace-tag", "<div><span>a</span>b</div>", "<div><em>a</em>b</div>"),
    ("text-to-element", "<div>plain</div>", "<div><b>bold</b></div>"),
    (
        "implied-tbody",
        "<table><tr><td>1</td></tr></table>",
        "<table><tr><td>1</td></tr><tr><td>2</td></tr></table>",
    ),
    (
        "table-sections",
        "<table><thead><tr><th>h</th></tr></thead><tr><td>1</td></tr></table>",
        "<table><caption>c</caption><colgroup><col span=2></colgroup><thead><tr><th>h</th>"
        "<th>i</th></tr></thead>"
        "<tbody><tr><td>1</td><td>2</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>",
    ),
    (
        "table-keyed-rows",
        f"<table><tbody>{ROWS}</tbody></table>",
        f"<table><tbody>{ROWS_REORDERED}</tbody></table>",
    ),
    (
        "auto-closed-p-li",
        "<p>one<p>two<ul><li>a<li>b</ul>",
        "<p>one<p>three<p>four<ul><li>a<li>c<li>d</ul>",
    ),
    ("misnested-formatting", "<b>1<i>2</b>3</i>", "<b>1<i>2</b>4</i><p>x"),
    (
        "void-elements",
        "<br><hr><img src=a.png alt=a><input name=q>",
        "<br><img src=b.png alt=b><wbr><input name=q disabled>",
    ),
    (
        "whitespace",
        "<div>\n  <span>a</span>\n  <span>b</span>\n</div>",
        "<div>\n  <span>b</span>\n\n  <span>a</span>\t\n</div>",
    ),
    (
        "pre-leading-newline",
        "<pre>\nx</pre><textarea>\n\nhi</textarea>",
        "<pre>\n\nx</pre><textarea>\nhi\n</textarea>",
    ),
    ("comments", "<!-- a --><p>x</p><!--b-->", "<!-- c --><p>x</p>tail<!---->"),
    (
        "entities",
        "<p>&amp; &lt;b&gt; &nbsp;&copy;&#x1F600;&notin</p>",
        "<p>&quot;&apos; &gt;&lt; &nbsp;&euro;&#39;</p><p title='&amp;&quot;'>q</p>",
    ),
    (
        "script-style",
        "<script>var a = 1 < 2;</script><style>a > b {}</style>",
        "<script>var a = 2 && '</b>';</script><style>a > b { color: red }</style><script></script>",
    ),
    (
        "title-textarea-rcdata",
        "<title>a &amp; b</title><textarea>x</textarea>",
        "<title>a &lt; b</title><textarea>&lt;b&gt;</textarea>",
    ),
    (
        "svg-basic",
        '<svg viewBox="0 0 10 10"><circle cx=1 cy=1 r=1 /></svg>',
        '<svg viewBox="0 0 20 20" preserveAspectRatio="none"><circle cx=2 cy=1 r=1 />'
        '<path d="M0 0L1 1"/><linearGradient gradientUnits=userSpaceOnUse id=g>'
        "</linearGradient></svg>",
    ),
    (
        "svg-case-fixup",
        "<svg viewbox='0 0 1 1'><lineargradient gradientunits=x></lineargradient></svg>",
        "<svg VIEWBOX='0 0 2 2'><lineargradient gradientunits=y></lineargradient>"
        "<clippath clippathunits=a></clippath></svg>",
    ),
    (
        "svg-foreign-object",
        "<svg><foreignObject><div>html</div></foreignObject></svg>",
        "<svg><foreignObject><div>html!</div><p>more</p><svg><rect/></svg></foreignObject>"
        "<text>t</text></svg>",
    ),
    (
        "svg-xlink",
        '<svg><use xlink:href="#a"/></svg>',
        '<svg><use xlink:href="#b"/><use href="#c"/></svg>',
    ),
    (
        "mathml",
        "<math><mi>x</mi><mo>=</mo><mn>1</mn></math>",
        "<math display=block><mi>x</mi><mo>=</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><mtext>"
        "<b>t</b></mtext></math>",
    ),
    (
        "template-content",
        "<template><tr><td>a</td></tr></template>",
        "<template><tr><td>b</td></tr><tr><td>c</td></tr></template>",
    ),
    (
        "form-controls",
        '<form><input name=a value="1"><input type=checkbox name=b checked><select name=c>'
        "<option value=1 selected>1<option value=2></select></form>",
        '<form><input name=a value="22"><input type=checkbox name=b><select name=c>'
        "<option value=1>1<option value=2 selected>2</select><p class=error>bad</p></form>",
    ),
    (
        "keyed-list",
        "<ul><li data-key=a>A</li><li data-key=b>B</li><li data-key=c>C</li><li data-key=d>"
        "D</li></ul>",
        "<ul><li data-key=d>D</li><li data-key=b>B!</li><li data-key=e>E</li><li data-key=a>"
        "A</li></ul>",
    ),
    (
        "keyed-with-whitespace",
        "<ul>\n <li data-key=1>1</li>\n <li data-key=2>2</li>\n <li data-key=3>3</li>\n</ul>",
        "<ul>\n <li data-key=3>3</li>\n <li data-key=1>1</li>\n <li data-key=2>2</li>\n</ul>",
    ),
    (
        "keyed-mixed",
        "<div><h2>t</h2><p data-key=a>a</p>x<p data-key=b>b</p></div>",
        "<div><p data-key=b>b</p><h2>t</h2>y<p data-key=a>a</p><p data-key=c>c</p></div>",
    ),
    (
        "boundary-attrs",
        '<div data-roost-id="c1" class=a><b>inner</b></div><p>x</p>',
        '<div data-roost-id="c1" class=b><b>inner</b></div><p>y</p>',
    ),
    (
        "boundary-insert",
        "<p>x</p>",
        '<p>x</p><div data-roost-id="c2"><span>child content</span></div>',
    ),
    (
        "boundary-keyed",
        '<div data-roost-id="a">A</div><div data-roost-id="b">B</div>',
        '<div data-roost-id="b">B</div><div data-roost-id="a">A</div>',
    ),
    (
        "select-options",
        "<select><option>a<option>b</select>",
        "<select><optgroup label=g><option>a</optgroup><option selected>c</select>",
    ),
    (
        "odd-attribute-names",
        '<div @click="a" :x="1" x.y="z">v</div>',
        '<div @click="b" x.y="zz" #h="1">v</div>',
    ),
    ("everything-removed", "<p>a</p><p>b</p>tail", ""),
    ("from-empty", "", "<section><h1>t</h1><p>b</p></section><table><td>x</table>"),
    (
        "nested-lists",
        "<ol><li>a<ul><li>1</li></ul></li></ol>",
        "<ol><li>a<ul><li>1</li><li>2</li></ul></li><li>b</li></ol>",
    ),
    ("lossy-misnesting-falls-back", "<p>x</p>", "<p>x</p><a><table><a>"),
    ("processing-instructions", "<p>a<?php x ?>b</p>", "<p>a<?php y ?>b<?q r?></p><?other z?>"),
    (
        "splices-in-utf16",
        '<p class="px-4 py-2 rounded-md text-sm font-medium">😀 You have 5 unread 😀 messages</p>',
        '<p class="px-4 py-2 rounded-lg text-sm font-medium">😀 You have 15 unread 😀 messages</p>',
    ),
    ("paragraph-closing", "<p>a<div>b</div>", "<p>a<table><tr><td>t</td></tr></table>"),
    # <noscript>: raw text in a page (scripting enabled), markup in the client's
    # inert parses (a <template>: scripting disabled). The HTML sent escapes it.
    (
        "noscript-content-changes",
        "<noscript><p>Enable <b>JS</b></p></noscript><p>1</p>",
        "<noscript><p>Enable <i>JavaScript</i> &amp; reload</p></noscript><p>1</p>",
    ),
    (
        "noscript-content-splice",
        '<noscript><img src=a.png alt="Please turn on JavaScript, 5 features need it"></noscript>',
        '<noscript><img src=a.png alt="Please turn on JavaScript, 15 features need it"></noscript>',
    ),
    (
        "noscript-inserted",
        "<p>a</p><p>c</p>",
        "<p>a</p><noscript><img src=x.png><p>b &lt; c</p></noscript><p>c</p>",
    ),
    (
        "noscript-replaces-an-element",
        "<div><b>x</b></div>",
        "<noscript><div><b>x</b></div></noscript>",
    ),
    (
        "noscript-sibling-after-changes",  # the unclosed <p> swallows the sibling as markup
        "<noscript><p>a</noscript><p>1</p><noscript><div>b</noscript><p>x</p>",
        "<noscript><p>a</noscript><p>2</p><noscript><div>b</noscript><p>y</p><p>z</p>",
    ),
    (
        "noscript-emptied-and-filled",
        "<noscript>x</noscript><noscript></noscript>",
        "<noscript></noscript><noscript><b>y</b></noscript>",
    ),
    (
        "noscript-after-an-open-formatting-element",  # no <b> reconstructed around it
        "<p><b>x</p><i>y</i>",
        "<p><b>x</p><noscript>y</noscript><i>z</i>",
    ),
    (
        "noscript-in-template-foreign-object-select-table",
        "<template><noscript><b>a</b></noscript></template><svg><foreignObject><noscript><b>a</b>"
        "</noscript></foreignObject></svg><select><noscript><b>a</b></noscript><option>o</option>"
        "</select><table><noscript><b>a</b></noscript><tr><td>1</td></tr></table>",
        "<template><noscript><b>b</b></noscript><noscript><p>n</noscript></template><svg>"
        "<foreignObject><noscript><b>b</b></noscript><noscript>c</noscript></foreignObject></svg>"
        "<select><noscript><b>b</b></noscript><option>o</option><noscript>d</noscript></select>"
        "<table><noscript><b>b</b></noscript><tr><td>1</td></tr></table><noscript>e</noscript>",
    ),
    (
        "noscript-any-case-and-attributes",
        '<NOSCRIPT class="a>b"><B>x</B></NOSCRIPT>',
        '<NoScript class="a>c" title=t><B>y</B></NoScript><noscript id=n>&amp;</noscript>',
    ),
    (
        "noscript-unclosed-at-the-end",
        "<p>x</p>",
        "<p>x</p><noscript><p>to the end <b>of it",
    ),
    (
        "lossy-with-noscript-falls-back",  # a whole-content replace, parsed inertly
        "<p>x</p>",
        "<noscript><b>n</b></noscript><p>x</p><a><table><a><noscript><i>m</i></noscript>",
    ),
    (
        "raw-text-elements-parse-alike-with-and-without-scripting",
        "<iframe><b>a</b></iframe><noembed><b>a</b></noembed><noframes><b>a</b></noframes>"
        "<xmp><b>a</b></xmp><textarea><b>a</b></textarea>",
        "<iframe><b>b</b></iframe><noembed><b>b</b> &amp;</noembed><noframes><i>b</i></noframes>"
        "<xmp><b>b</b></xmp><textarea><b>b</b></textarea><xmp><i>new</i></xmp><noembed>"
        "<p>n</noembed><iframe><p>f</p></iframe>",
    ),
] + [
    # Inserted runs of similar rows: their markup goes once (shared statics).
    (f"shared-rows-{name}", old, new)
    for name, old, new in SHARED_ROWS
]

# Content a full render (a Render message: a <template>'s innerHTML, scripting
# disabled) parses differently from a page load unless roost.render.client_html
# rewrites it; the browser test renders client_html of each (and of every
# corpus entry) with view.js and compares with the content loaded fresh.
RENDER_ONLY: list[str] = [
    "<noscript><b>x</b> &amp; y</noscript>",
    "<noscript><noscript>a</noscript>b</noscript>",
    "<p><noscript><p>a</p></noscript>",
    "<p><b>x</p><noscript>y</noscript>",
    "<tr><td>1</td></tr>",
    "</p>x",
    "x</p><p>y",
    "<style></style><td>c</td>",
    "<!--c--><tr><td>1</td></tr>",
    "<caption>c</caption><p>x</p>",
    "<colgroup><col></colgroup>x",
    "<script>1</script><noscript><tr><td>2</td></tr></noscript><col>",
]

# Raw text and RCDATA elements other than <noscript>: their content parses the
# same with scripting enabled (a page load) and disabled (a template); the
# browser test checks that the HTML needs no rewriting for them.
RAW_TEXT_ALIKE: list[str] = [
    f"<p>x</p><{tag}><b>a</b> &amp; <!--c--></{tag}><p>y</p>"
    for tag in ("iframe", "noembed", "noframes", "xmp", "script", "style", "textarea", "title")
] + ["<p>x</p><plaintext><b>a</b> &amp; </plaintext><p>y</p>"]

# Markup whose parse is tricky; the browser test checks that the server's
# VDOM of each is the DOM Chromium builds for it.
PARSE_ONLY: list[str] = [
    "<svg><math><mi>x</mi></math><foreignObject><math><mi>y</mi></math></foreignObject></svg>",
    '<math><annotation-xml encoding="text/html"><div>h</div></annotation-xml></math>',
    "<math><annotation-xml><svg><rect/></svg></annotation-xml><mi><mglyph/></mi></math>",
    "<svg><font color=red>x</font><font>y</font></svg>",
    "<svg><desc><b>d</b></desc><title>t</title></svg>",
    "<table>x<tr><td>1</td></tr>y</table>",
    "<table><input type=hidden><input type=text><tr><td>c</td></tr></table>",
    "<template><template><b>n</b></template><td>c</td></template>",
    "<a href=1>x<table><a href=2>y</a></table></a>",
    "<p><b><i>1</p>2</i></b>",
    "<image src=x.png><isindex>",
    "&notin &notin; &amp &ampx &#0; &#x110000; &#128; &nbsp",
    "a\r\nb\rc\x00d",
    "<noscript><b>n</b></noscript>",
    "<select><option>a<optgroup><option>b</select>",
    "<button><button>x</button></button><form><form></form></form>",
    "<ul><li>1<li>2<ol><li>3</ol></ul><dl><dt>a<dd>b<dt>c</dl>",
    "<textarea>\r\n\r\nx</textarea><pre>\n\ny</pre><listing>\nz</listing>",
    "<div a=1 A=2 b='x' c=\"y\" d=z e></div><p x=&amp;y=&lt;>",
    "<svg><clippath clippathunits=a><animatetransform attributename=b/></clippath></svg>",
    "<h1><h2>x</h2></h1><ruby>a<rt>b<rp>c</ruby>",
    "<!-- a -- b --><!---><!-->x<!DOCTYPE html><?php x ?></br></p>",
]
PARSE_ONLY += ['a<?php x ?>b<?xml-stylesheet href="a"?>c<?t?><? x>', '<?php echo "<b>" ?>z']
# Controls for the render check: a template parses these as a page does.
PARSE_ONLY += ["<form><form>x</form></form>", "<html><tr><td>1", "<title>t</title><caption>c"]
