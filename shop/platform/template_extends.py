"""``{% extends %}`` that finds the root template's blocks once per compiled template.

Django's ``ExtendsNode.render`` walks the whole node tree of the root template (shop/base.html:
its header, navigation and footer) on every render to collect its ``{% block %}`` nodes: a
twentieth of a cached page's time, the same answer each time for the same compiled template.
This tag is Django's own (``do_extends``: the same syntax, checks and errors), with a node that
keeps that answer on the compiled parent (a reloaded template is a new object: looked up anew).
Installed for every template as a builtin (``TEMPLATES[...]["OPTIONS"]["builtins"]``), so it
replaces the stock tag without a ``{% load %}``, which ``{% extends %}`` may not follow.
"""
from django import template
from django.template.base import TextNode
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode, do_extends

register = template.Library()

_NO_BLOCKS = object()  # the parent extends another template: its blocks come from its own node


def _root_blocks(compiled_parent):
    """What Django's ``ExtendsNode.render`` adds for a root parent (its blocks by name), or
    ``_NO_BLOCKS`` when the parent itself extends another template; kept on the parent."""
    try:
        return compiled_parent._mended_root_blocks
    except AttributeError:
        pass
    found = _NO_BLOCKS
    for node in compiled_parent.nodelist:
        # The ExtendsNode has to be the first non-text node.
        if not isinstance(node, TextNode):
            if not isinstance(node, ExtendsNode):
                found = {n.name: n for n in compiled_parent.nodelist.get_nodes_by_type(BlockNode)}
            break
    compiled_parent._mended_root_blocks = found
    return found


class QuickExtendsNode(ExtendsNode):
    def render(self, context):
        """Django 5.2's ``ExtendsNode.render`` with the root's blocks kept (``_root_blocks``)."""
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        blocks = _root_blocks(compiled_parent)
        if blocks is not _NO_BLOCKS:
            block_context.add_blocks(blocks)  # (reads the dict, never changes it)
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)


@register.tag("extends")
def quick_extends(parser, token):
    node = do_extends(parser, token)
    return QuickExtendsNode(node.nodelist, node.parent_name, node.template_dirs)
