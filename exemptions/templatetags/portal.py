from django import template

from .. import identifiers, windows, workflow

register = template.Library()


@register.filter
def masked_tin(value: str) -> str:
    """XX-XXX1234: TINs are shown masked everywhere except the form that edits them."""
    return identifiers.mask_tin(value)


@register.filter
def et(value) -> str:
    """'11:59 p.m. ET on Thursday, January 31, 2013'."""
    return windows.format_et(value) if value else ""


@register.filter
def ep_status(value: str) -> str:
    return workflow.ep_label(value)
