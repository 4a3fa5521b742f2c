"""Template tags that render Django form fields in the NHS.UK design system's markup."""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


def _widget_kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    # CheckboxSelectMultiple is a subclass of RadioSelect: test it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


@register.inclusion_tag("core/includes/field.html")
def field(
    bound: forms.BoundField, width: str = "", label_size: str = ""
) -> dict[str, Any]:
    """One form field: label, hint, error message and control, linked for screen readers."""
    kind = _widget_kind(bound)
    css = {
        "input": "nhsuk-input",
        "select": "nhsuk-select",
        "textarea": "nhsuk-textarea",
        "checkbox": "nhsuk-checkboxes__input",
    }.get(kind, "")
    if bound.errors and kind in {"input", "select", "textarea"}:
        css += f" {css}--error"
    if width:
        css += f" nhsuk-input--width-{width}"
    described = []
    if bound.help_text:
        described.append(f"{bound.auto_id}-hint")
    if bound.errors:
        described.append(f"{bound.auto_id}-error")
    attrs: dict[str, str] = {}
    if css:
        attrs["class"] = css.strip()
    if described:
        attrs["aria-describedby"] = " ".join(described)
    options = []
    if kind in {"radios", "checkboxes"}:
        current = bound.value()
        chosen = (
            {str(v) for v in current}
            if isinstance(current, list | tuple)
            else {str(current)}
        )
        for index, (value, label) in enumerate(bound.field.choices):  # type: ignore[attr-defined]
            options.append(
                {
                    "id": f"{bound.auto_id}-{index}",
                    "value": value,
                    "label": label,
                    "checked": str(value) in chosen,
                }
            )
    return {
        "field": bound,
        "kind": kind,
        "widget": bound.as_widget(attrs=attrs)
        if kind not in {"radios", "checkboxes"}
        else "",
        "options": options,
        "described": " ".join(described),
        "label_size": label_size,
    }


@register.inclusion_tag("core/includes/error_summary.html")
def error_summary(*forms_: forms.BaseForm) -> dict[str, Any]:
    """The error summary at the top of a page, linking to each field in error."""
    items: list[dict[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for message in form.non_field_errors():
            items.append({"href": "", "message": message})
        for name, errors in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            anchor = bound.auto_id
            if _widget_kind(bound) in {"radios", "checkboxes"}:
                anchor = f"{bound.auto_id}-0"
            for message in errors:
                items.append({"href": f"#{anchor}", "message": message})
    return {"items": items}
