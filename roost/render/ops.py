"""The patch op codes: what one actor's patch message asks the browser to do.

Every op is a JSON array ``[OPCODE, PATH, *ARGS]``. ``PATH`` is a list of
child-node indexes relative to the actor's container element (``[]`` is the
container itself, ``[0]`` its first child node, text and comment nodes
included; inside a ``<template>`` the indexes count the template's content).
Ops apply in order, each path resolved against the tree as the earlier ops
left it. An attribute ``name`` in an op may be an int: its index in
``roost.protocol.ATTR_NAMES`` (``[1, [0], 0, "active"]`` sets ``class``).

====  ===========  ==============================  =====================================
code  name         shape                           effect
====  ===========  ==============================  =====================================
0     TEXT         ``[0, path, data]``             set the data of the text, comment or
                                                   processing instruction at ``path``
1     SET_ATTR     ``[1, path, name, value, …]``   set attributes (name/value pairs) on
                                                   the element at ``path``
2     REMOVE_ATTR  ``[2, path, name, …]``          remove attributes from the element
3     INSERT       ``[3, path, html]``             parse ``html`` for the parent and
                                                   insert its nodes, the first at
                                                   ``path`` (parent path + index; the
                                                   child count appends)
4     REMOVE       ``[4, path]``,                  remove the node at ``path`` (and the
                   ``[4, path, n]``                ``n - 1`` siblings after it)
5     MOVE         ``[5, path, to]``               take the node at ``path`` out and put
                                                   it back at index ``to`` among the
                                                   remaining siblings
6     REPLACE      ``[6, path, html]``             replace the node at ``path`` with the
                                                   nodes parsed from ``html``; with
                                                   ``path == []`` replace the whole
                                                   content, parsed as the container's
                                                   content (as a fresh render is)
7     SPLICE       ``[7, path, start, n, text]``,  replace ``n`` characters at ``start``
                   ``[7, path, start, n, text,     of the node's data (or of attribute
                   name]``                         ``name``) with ``text``; offsets count
                                                   UTF-16 code units, as JS strings do
8     STREAM       ``[8, path, items, at,          a stream's container (``roost-update=
                   limit, deletes, reset]``        "stream"``) at ``path``: remove all its
                                                   children if ``reset``; remove those whose
                                                   ``id`` is in ``deletes``; each ``html`` of
                                                   ``items`` (one element) replaces the child
                                                   of its ``id``, or is inserted at ``at`` (-1: the
                                                   end, 0: the front); then keep the first
                                                   ``limit`` children (the last ``-limit``
                                                   for a negative one; null: all)
====  ===========  ==============================  =====================================

An INSERT's ``html`` and a STREAM's ``items`` may come as *shared rows*
instead: ``{"s": [static, ...], "d": [row, ...]}``, each ``row`` a list of
the parts between the statics (``s[0] + row[0] + s[1] + ... + s[n]``) or a
whole HTML string; an INSERT's HTML is its rows joined. A run of similar list
items sends its markup once this way (:mod:`roost.render.statics`).

``html`` is parsed the way a ``<template>`` parses its content (inert: no
script runs), wrapped in ``<svg>``/``<math>`` when the parent's children are
SVG or MathML; a whole-content replace parses it as a ``<div>``'s content in
an inert document. Nothing else is ever parsed as HTML.
"""

from ..protocol import ATTR_CODES, OP, attr_name

# The codes are the wire's, defined once in roost.protocol (and generated
# into the browser's protocol.js); render only names them.
TEXT = OP.TEXT
SET_ATTR = OP.SET_ATTR
REMOVE_ATTR = OP.REMOVE_ATTR
INSERT = OP.INSERT
REMOVE = OP.REMOVE
MOVE = OP.MOVE
REPLACE = OP.REPLACE
SPLICE = OP.SPLICE
STREAM = OP.STREAM

__all__ = [
    "ATTR_CODES",
    "INSERT",
    "MOVE",
    "REMOVE",
    "REMOVE_ATTR",
    "REPLACE",
    "SET_ATTR",
    "SPLICE",
    "STREAM",
    "TEXT",
    "attr_name",
]
