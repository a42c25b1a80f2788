from django import template

from .. import identifiers, urgency, windows, workflow

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
def et_seconds(value) -> str:
    """'11:59:59 p.m. ET on Thursday, January 31, 2013': deadlines and receipts, to the second."""
    return windows.format_et(value, seconds=True) if value else ""


@register.filter
def et_short(value) -> str:
    """'Jan 31, 2013, 3:41 p.m. ET' (tables and histories)."""
    return windows.format_short_et(value) if value else ""


@register.filter
def et_clock(value) -> str:
    """'3:41 p.m. ET'."""
    return windows.format_clock_et(value) if value else ""


@register.inclusion_tag("_countdown.html")
def countdown(state, what: str = "This window"):
    """The deadline banner that grows urgent (exemptions/urgency.py): pass a WindowState."""
    return {"countdown": urgency.countdown(state), "state": state, "what": what}


@register.filter
def ep_status(value: str) -> str:
    return workflow.ep_label(value)
