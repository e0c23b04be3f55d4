"""Hypothesis strategies for HTML content: odd markup, trees, and small edits."""

from __future__ import annotations

from hypothesis import strategies as st

from roost.render import Comment, Element

TAGS = [
    "div", "span", "p", "b", "i", "a", "em", "ul", "li", "ol", "h1", "section", "button",
    "table", "tbody", "tr", "td", "th", "select", "option", "pre", "textarea", "script",
    "style", "title", "template", "input", "br", "img", "svg", "circle", "g", "foreignObject",
    "math", "mi", "form", "noscript",
]  # fmt: skip
VOID = {"input", "br", "img"}
ATTRS = ["class", "id", "title", "value", "data-key", "viewBox", "checked", "x:y"]

# Characters that make markup interesting: tag and reference syntax, quotes,
# whitespace that parsers treat specially, a non-breaking space.
odd_text = st.text(alphabet="ab <>&;#/!?-=\"'\n\t\xa0é", max_size=8)
plain_text = st.text(alphabet="abcxyz ", min_size=1, max_size=8).filter(lambda s: s.strip())


@st.composite
def attributes(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.sampled_from(ATTRS), max_size=3, unique=True))
    out = []
    for name in names:
        value = draw(odd_text)
        quote = draw(st.sampled_from(['"', "'"]))
        value = value.replace(quote, "")
        out.append(f" {name}={quote}{value}{quote}")
    return "".join(out)


def markup(depth: int = 3) -> st.SearchStrategy[str]:
    """Arbitrary (often malformed) HTML built from tricky tags, text and comments."""
    leaf = st.one_of(
        odd_text,
        odd_text.map(lambda s: f"<!--{s.replace('-', '')}-->"),
        st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(sorted(VOID)), attributes()),
    )

    def element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.builds(
            lambda tag, attrs, kids, close: (
                f"<{tag}{attrs}>{''.join(kids)}" + (f"</{tag}>" if close else "")
            ),
            st.sampled_from(TAGS),
            attributes(),
            st.lists(children, max_size=4),
            st.booleans(),
        )

    return st.recursive(leaf, element, max_leaves=12).map(str)


def fragments() -> st.SearchStrategy[str]:
    return st.lists(markup(), max_size=4).map("".join)


def _nodes(node: object) -> list:
    """Every (path, node) in a tree, depth first, outside component boundaries."""
    out: list = []

    def walk(nodes: tuple, path: list[int]) -> None:
        for i, n in enumerate(nodes):
            out.append(([*path, i], n))
            if isinstance(n, Element) and "data-roost-id" not in n.attrs:
                walk(n.children, [*path, i])

    walk(node, [])  # type: ignore[arg-type]
    return out


def replace_at(tree: tuple, path: list[int], node: object) -> tuple:
    """``tree`` with the node at ``path`` swapped for ``node``."""
    i = path[0]
    if len(path) == 1:
        return (*tree[:i], node, *tree[i + 1 :])
    parent = tree[i]
    kids = replace_at(parent.children, path[1:], node)
    return (*tree[:i], Element(parent.tag, parent.attrs, kids, parent.ns), *tree[i + 1 :])


def text_nodes(tree: tuple) -> list:
    return [(p, n) for p, n in _nodes(tree) if isinstance(n, str)]


def elements(tree: tuple) -> list:
    return [(p, n) for p, n in _nodes(tree) if isinstance(n, Element)]


def comments(tree: tuple) -> list:
    return [(p, n) for p, n in _nodes(tree) if isinstance(n, Comment)]


# Long values with astral characters, for splices.
long_text = st.text(alphabet="ab 1😀é&<", min_size=20, max_size=40)
