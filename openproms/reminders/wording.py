"""The words of a reminder: placeholders, their checks, and filling them in.

A template is plain text with placeholders in braces, such as ``{name}``. Only the
placeholders in :data:`PLACEHOLDERS` may appear, each exactly as written (no
format specification, no attribute or index); a literal brace is written twice.
Every problem is named: the unknown placeholder, the stray brace, the field.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

# placeholder: what a person setting up a template reads about it
PLACEHOLDERS: dict[str, str] = {
    "name": "the person's first name",
    "organisation": "your organisation's name",
    "questionnaire": "the name of the questionnaire due",
    "due": "the day it is due, such as 14 March 2027",
    "link": "a personal link to answer the questions online",
}

# A text message longer than this costs several messages; Notify refuses over 918.
SMS_LIMIT = 612
SUBJECT_LIMIT = 200

DEFAULT_EMAIL_SUBJECT = "Questions from {organisation}"
DEFAULT_EMAIL_BODY = (
    "Hello {name},\n\n{organisation} would like you to answer a few short "
    "questions ({questionnaire}) by {due}. Open this link to start:\n\n"
    "{link}\n\nIf you were not expecting this message, you can ignore it."
)
DEFAULT_SMS_BODY = (
    "{organisation}: please answer a few short questions by {due}: {link}"
)


def placeholder_problems(text: str, *, field: str) -> list[str]:
    """Every problem with the placeholders of ``text``, each naming ``field``."""
    problems: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return [
            f"{field}: a brace is not closed or not opened. Write placeholders as "
            "{name}, and a brace on its own as {{ or }}."
        ]
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name == "":
            problems.append(f"{field}: empty braces {{}} are not a placeholder.")
        elif name not in PLACEHOLDERS:
            known = ", ".join("{" + key + "}" for key in PLACEHOLDERS)
            problems.append(
                f"{field}: {{{name}}} is not a placeholder we know. Use one of {known}."
            )
        elif spec or conversion:
            problems.append(
                f"{field}: write the placeholder as {{{name}}}, with nothing after "
                "its name."
            )
    return problems


def template_problems(*, channel: str, subject: str, body: str) -> list[str]:
    """Every problem with a template for ``channel`` ("email" or "sms")."""
    problems: list[str] = []
    if not body.strip():
        problems.append("Message: write the message.")
    problems += placeholder_problems(body, field="Message")
    if channel == "email":
        if not subject.strip():
            problems.append("Subject: write a subject for the email.")
        elif len(subject) > SUBJECT_LIMIT:
            problems.append(f"Subject: keep it to {SUBJECT_LIMIT} characters.")
        if "\n" in subject:
            problems.append("Subject: keep it to one line.")
        problems += placeholder_problems(subject, field="Subject")
    elif len(body) > SMS_LIMIT:
        problems.append(
            f"Message: a text message can be at most {SMS_LIMIT} characters; this "
            f"one has {len(body)}."
        )
    return problems


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its placeholders filled from ``values`` (checked first)."""
    return text.format_map({key: values.get(key, "") for key in PLACEHOLDERS})


def uses_link(*texts: str) -> bool:
    return any(
        name == "link"
        for text in texts
        for _, name, _, _ in string.Formatter().parse(text)
    )
