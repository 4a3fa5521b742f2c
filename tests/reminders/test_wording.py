"""Message templates: placeholders are checked and every problem is named."""

from __future__ import annotations

from openproms.reminders import wording


def test_the_standard_wording_has_no_problems() -> None:
    assert not wording.template_problems(
        channel="email",
        subject=wording.DEFAULT_EMAIL_SUBJECT,
        body=wording.DEFAULT_EMAIL_BODY,
    )
    assert not wording.template_problems(
        channel="sms", subject="", body=wording.DEFAULT_SMS_BODY
    )


def test_an_unknown_placeholder_is_named() -> None:
    [problem] = wording.template_problems(
        channel="sms", subject="", body="Hi {firstname}, {link}"
    )
    assert problem.startswith("Message: {firstname} is not a placeholder we know.")
    assert "{name}" in problem


def test_a_stray_brace_is_named() -> None:
    [problem] = wording.template_problems(channel="sms", subject="", body="Hi {name")
    assert problem.startswith("Message: a brace is not closed")


def test_format_tricks_are_refused() -> None:
    problems = wording.template_problems(
        channel="email", subject="{organisation!r}", body="{name:>20} {}"
    )
    assert "Message: write the placeholder as {name}, with nothing after its name." in (
        problems
    )
    assert "Message: empty braces {} are not a placeholder." in problems
    assert any(p.startswith("Subject: write the placeholder") for p in problems)


def test_an_email_needs_a_one_line_subject() -> None:
    assert wording.template_problems(channel="email", subject="", body="Hello") == [
        "Subject: write a subject for the email."
    ]
    assert "Subject: keep it to one line." in wording.template_problems(
        channel="email", subject="a\nb", body="Hello"
    )


def test_a_long_text_message_is_refused_with_its_length() -> None:
    [problem] = wording.template_problems(channel="sms", subject="", body="x" * 700)
    assert "at most 612 characters; this one has 700" in problem


def test_doubled_braces_are_literal_braces() -> None:
    text = "Use {{braces}} for {name}"
    assert not wording.placeholder_problems(text, field="Message")
    assert wording.fill(text, {"name": "Sam"}) == "Use {braces} for Sam"
