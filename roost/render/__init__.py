"""HTML -> VDOM -> diff -> patch ops: pure functions of HTML strings.

Nothing here imports the rest of roost but ``roost.protocol``, the data-only
module where the op codes and the container attribute are defined once.
"""

from . import ops as ops
from .apply import PatchError as PatchError
from .apply import apply_ops as apply_ops
from .diff import diff_html as diff_html
from .diff import diff_trees as diff_trees
from .differ import Differ as Differ
from .environment import environment_for as environment_for
from .environment import flash_group as flash_group
from .jinja_internals import UnsupportedJinja as UnsupportedJinja
from .js import JS as JS
from .links import below_mount as below_mount
from .parse import parse_client_html as parse_client_html
from .parse import parse_html as parse_html
from .regions import RegionRenderer as RegionRenderer
from .served import fingerprint as fingerprint
from .served import served_contents as served_contents
from .served import served_fingerprints as served_fingerprints
from .vdom import Comment as Comment
from .vdom import Element as Element
from .vdom import ProcessingInstruction as ProcessingInstruction
from .vdom import to_html as to_html
from .wire import client_html as client_html
