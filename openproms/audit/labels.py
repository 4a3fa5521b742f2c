"""What an audit event says in plain English.

Events are stored with a dotted action code ("time_point.close_missed") and the
record's text as it was when the event was written ("ucla3 Follow-up 12 due
...", "Risk alert on phq9_9 for 12"). The audit page shows neither code: each
action has a sentence, each kind of record a name, and measure and question ids
in the record's text are replaced by the names people read ("UCLA-3",
"PHQ-9 question 9").
"""

from __future__ import annotations

import re
from functools import cache

from openproms.scoring.library import default_library

ACTION_LABELS: dict[str, str] = {
    "acceptability.create": "Feedback on a questionnaire recorded",
    "administration.create": "Answers saved",
    "administration.edit": "Answers corrected",
    "administration.import": "Answers imported",
    "alert.acknowledge": "Risk alert acknowledged",
    "alert.raise": "Risk alert raised",
    "auth.login": "Signed in",
    "auth.locked_out": "Account locked after repeated failed sign-ins",
    "auth.login_failed": "Sign-in failed",
    "auth.logout": "Signed out",
    "auth.recovery_codes_generate": "Recovery codes made",
    "auth.two_factor_enable": "Two-factor sign-in turned on",
    "auth.two_factor_failed": "Two-factor code wrong",
    "auth.two_factor_ok": "Two-factor code accepted",
    "auth.two_factor_setup_failed": "Two-factor set-up failed",
    "api.use": "API token used",
    "api_token.create": "API token made",
    "api_token.revoke": "API token revoked",
    "authz.denied": "Page or action refused (no permission)",
    "backup.create": "Backup made",
    "backup.failed": "Backup failed",
    "collection_settings.update": "Collection settings changed",
    "commissioner.create": "Commissioner added",
    "commissioner.member_add": "Commissioner user added",
    "consent.record": "Consent recorded",
    "contact.create": "Contact recorded",
    "contract.create": "Contract added",
    "contract.update": "Contract changed",
    "episode.close": "Episode closed",
    "episode.open": "Episode opened",
    "episode.pause": "Episode paused",
    "episode.resume": "Episode resumed",
    "gp_share.accept": "Summary from another organisation accepted",
    "gp_share.decline": "Summary from another organisation declined",
    "gp_share.prepare_download": "Summary for a GP practice made to download",
    "gp_share.receive": "Summary received from another organisation",
    "gp_share.send": "Summary sent to a GP practice",
    "import.commit": "Historic data imported",
    "import.upload": "File uploaded for import",
    "group_session.create": "Group session added",
    "group_session.update": "Group session changed",
    "kiosk.exit": "Kiosk closed",
    "kiosk.exit_refused": "Kiosk close refused (wrong code)",
    "kiosk.start": "Kiosk started",
    "implementation_lead.set": "Implementation lead named",
    "link.create": "Self-completion link made",
    "link.revoke": "Self-completion link cancelled",
    "measure.design_create": "Own measure drafted",
    "measure.design_copy": "Library measure copied to adapt",
    "measure.design_save": "Own measure draft changed",
    "measure.design_publish": "Own measure version published",
    "measure.design_new_version": "New draft version of own measure started",
    "measure.use": "Measure chosen for use",
    "member.add": "Member added",
    "member.invite": "Member invited",
    "member.invite_revoke": "Invitation cancelled",
    "member.join": "Invitation accepted",
    "member.remove": "Member removed",
    "member.role_change": "Member's role changed",
    "organisation.create": "Organisation created",
    "organisation.support_text.update": "Support text changed",
    "paper.print": "Paper forms printed",
    "paper.print_blank": "Blank paper form printed",
    "paper_entry.create": "Paper form typed in",
    "paper_entry.resolve": "Paper form differences settled",
    "paper_entry.second": "Paper form typed in a second time",
    "person.create": "Person added",
    "person.erase": "Person erased",
    "person.restrict": "Person's data restricted",
    "person.unrestrict": "Restriction lifted",
    "person.update": "Person's details changed",
    "person.subject_access": "Everything held about the person downloaded",
    "plan.create": "Plan added",
    "plan.rule_add": "Plan rule added",
    "plan.rule_remove": "Plan rule removed",
    "plan.update": "Plan changed",
    "retention.apply": "Retention period applied",
    "retention.set": "Retention period changed",
    "progress.export_pdf": "Progress sheet downloaded",
    "records.download": "Personal records downloaded",
    "records.view": "Personal records looked at",
    "reliability.record": "Measure recorded as tested on own answers",
    "report.export": "Report downloaded",
    "research_consent.record": "Research consent recorded",
    "research_extract.download": "Research extract downloaded",
    "research_project.approve": "Research project approved",
    "research_project.create": "Research project recorded",
    "practice.open": "Training mode opened",
    "practice.refresh": "Training mode started again",
    "reminder.agreement_record": "Agreement to reminders recorded",
    "reminder.send": "Reminder sent",
    "reminder.settings_update": "Reminder settings changed",
    "reminder.template_update": "Reminder message changed",
    "scan.assign": "Scanned page matched to a person",
    "scan.decide": "Scanned answer checked",
    "scan.read_as": "Scanned page read as a measure",
    "scan.resolve_empty": "Empty scanned page settled",
    "scan.save_unscored": "Scanned page saved without a score",
    "scan.set_aside": "Scanned page set aside",
    "scan.upload": "Scans uploaded",
    "schedule.refresh": "Time points worked out again",
    "service.create": "Service added",
    "service.update": "Service changed",
    "user.create": "User account created",
    "trial.decide": "Decision on a measure trial recorded",
    "trial.start": "Measure trial started",
    "time_point.close_missed": "Overdue time points closed as missed",
    "time_point.record_missed": "Time point recorded as missed",
    "wording.supply": "Licensed wording supplied",
    "translation.supply": "Wording in another language supplied",
    "translation.replace": "Wording in another language replaced",
}

RECORD_LABELS: dict[str, str] = {
    "accounts.commissioningbody": "Commissioner",
    "api.apitoken": "API token",
    "accounts.commissionermembership": "Commissioner user",
    "accounts.invitation": "Invitation",
    "accounts.membership": "Member",
    "accounts.organisation": "Organisation",
    "accounts.service": "Service",
    "accounts.user": "User",
    "catalogue.bespokemeasure": "Measure",
    "catalogue.measurewording": "Wording",
    "translations.measuretranslation": "Wording in another language",
    "catalogue.organisationmeasure": "Measure",
    "choosing.measuretrial": "Measure trial",
    "choosing.owndatareliability": "Reliability on own answers",
    "collection.acceptabilityresponse": "Feedback",
    "collection.administration": "Answers",
    "collection.collectionsettings": "Collection settings",
    "collection.measurementplan": "Plan",
    "collection.paperentry": "Paper form",
    "collection.planrule": "Plan rule",
    "collection.riskalert": "Risk alert",
    "collection.selfcompletionlink": "Self-completion link",
    "collection.timepoint": "Time point",
    "governance.erasure": "Erasure",
    "imports.importedscore": "Imported score",
    "imports.importjob": "Import",
    "governance.retentionsetting": "Retention period",
    "people.contact": "Contact",
    "people.consent": "Consent",
    "people.episode": "Episode",
    "people.groupsession": "Group session",
    "people.serviceuser": "Person",
    "reminders.contactagreement": "Agreement to reminders",
    "reminders.implementationlead": "Implementation lead",
    "reminders.messagetemplate": "Reminder message",
    "reminders.reminder": "Reminder",
    "reminders.remindersettings": "Reminder settings",
    "reports.contract": "Contract",
    "scans.printedform": "Printed form",
    "sharing.gpshare": "Summary for a GP",
    "sharing.researchconsent": "Research consent",
    "sharing.researchproject": "Research project",
    "scans.scanbatch": "Scan batch",
    "scans.scanfile": "Scan file",
    "scans.scanpage": "Scanned page",
    "scans.scanitem": "Scanned answer",
}

_CODE_WORD = re.compile(
    r"\b[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+\b|\b[a-z]+[0-9][a-z0-9]*\b"
)


# Older events named a person by their database key ("Risk alert on ... for 12").
_PERSON_KEY = re.compile(r" for \d+\b")


def action_label(code: str) -> str:
    """The sentence for an action code; an unknown code in words, not as code."""
    known = ACTION_LABELS.get(code)
    if known:
        return known
    words = re.sub(r"[._]+", " ", code).strip()
    return words[:1].upper() + words[1:] if words else "Action"


def action_choices() -> list[tuple[str, str]]:
    """Every known action for the filter, in the order people read them."""
    return sorted(ACTION_LABELS.items(), key=lambda pair: pair[1])


@cache
def _names() -> dict[str, str]:
    """Measure and question ids mapped to the names people read."""
    names: dict[str, str] = {}
    for defn in default_library():
        names[defn.id] = defn.short_name
        for position, item in enumerate(defn.items, start=1):
            names.setdefault(item.id, f"{defn.short_name} question {position}")
        for scale in defn.scales:
            names.setdefault(scale.id, scale.label)
    return names


def plain_text(text: str) -> str:
    """Stored record text with measure, question and scale ids replaced by names."""
    names = _names()

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        return names.get(word, word)

    text = _CODE_WORD.sub(swap, text)
    # Measure ids that are plain words ("wemwbs"), as whole words.
    return _word_ids().sub(swap, text)


@cache
def _word_ids() -> re.Pattern[str]:
    words = sorted(
        (d.id for d in default_library() if d.id.isalpha()), key=len, reverse=True
    )
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")


# Records named by their kind alone, whatever an older event stored as their text
# (a person's name and reference; an uploaded file's name): events written now
# store none (audit.services.record_text).
NAMED_BY_KIND_ONLY = frozenset({"people.serviceuser", "scans.scanfile"})


def read_label(view: str, people: int) -> str:
    """What a read event showed: the page in words and how many people."""
    page = view[:1].upper() + view[1:] if view else "A page"
    if people == 0:
        return page
    return f"{page}: {people} {'person' if people == 1 else 'people'}"


def record_label(object_type: str, object_repr: str) -> str:
    """What the event was about: the kind of record, then its text in words."""
    kind = RECORD_LABELS.get(object_type, "")
    if object_type in NAMED_BY_KIND_ONLY:
        return kind
    text = _PERSON_KEY.sub("", plain_text(object_repr))
    if kind and text.casefold().startswith(kind.casefold()):
        return text
    if kind and text:
        return f"{kind}: {text}"
    return kind or text
