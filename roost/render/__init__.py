"""HTML -> VDOM -> diff -> patch ops: pure functions of HTML strings.

Nothing here imports the rest of roost.
"""

from . import ops as ops
from .apply import PatchError as PatchError
from .apply import apply_ops as apply_ops
from .diff import diff_html as diff_html
from .diff import diff_trees as diff_trees
from .differ import Differ as Differ
from .parse import parse_html as parse_html
from .templates import RegionRenderer as RegionRenderer
from .templates import environment_for as environment_for
from .vdom import Comment as Comment
from .vdom import Element as Element
from .vdom import ProcessingInstruction as ProcessingInstruction
from .vdom import to_html as to_html
