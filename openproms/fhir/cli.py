"""``openproms fhir``: the measure library in FHIR, from the command line.

    openproms fhir questionnaire MEASURE_ID [--version V]
    openproms fhir score QR.json [--questionnaire Q.json] [--measure ID]

``questionnaire`` prints the measure's Questionnaire (JSON). With no organisation
here, only wording that may be shipped is included: a licensed measure keeps its
structure, codes and copyright and has no question text.

``score`` reads a QuestionnaireResponse to a library measure (ours, one with a
crosswalk, or one whose Questionnaire is given with ``--questionnaire``), scores
it with the scoring engine and prints the scores as JSON, with every warning
(a stored total that disagrees with the answers is named, and not used). A
response that cannot be scored exits 1 naming each defect, and prints the
OperationOutcome; input that cannot be read at all (no such file, not JSON,
unknown measure) exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from openproms.fhir.issues import FhirInputError, operation_outcome
from openproms.fhir.questionnaire import questionnaire
from openproms.fhir.response_in import ScoredResponse, score_questionnaire_response
from openproms.scoring.errors import MeasureNotFound
from openproms.scoring.library import get_measure

EXIT_OK, EXIT_DEFECT, EXIT_BAD_INPUT = 0, 1, 2


class _Unreadable(Exception):
    pass


def _load_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _Unreadable(f"cannot read the {what} {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Unreadable(f"the {what} {path} is not JSON: {exc}") from None


def scores_json(scored: ScoredResponse) -> dict[str, Any]:
    """What ``openproms fhir score`` prints: the measure, each scale's score and
    band (or why there is none), and every issue."""
    defn = scored.read.measure
    scales = {}
    for scale in defn.scales:
        result = scored.score[scale.id]
        scales[scale.id] = {
            "label": scale.label,
            "value": result.value,
            "band": result.band,
            "no_score_reason": result.reason,
            "prorated": result.prorated,
        }
    return {
        "measure": defn.key,
        "title": defn.title,
        "scores": scales,
        "risk_alerts": [a.message for a in scored.score.alerts],
        "issues": [
            {"severity": i.severity, "message": i.message, "at": i.expression}
            for i in scored.issues
        ],
    }


def _questionnaire(args: argparse.Namespace) -> int:
    try:
        defn = get_measure(args.measure_id, args.version)
    except MeasureNotFound as exc:
        print(f"openproms fhir questionnaire: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    json.dump(questionnaire(defn), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return EXIT_OK


def _score(args: argparse.Namespace) -> int:
    try:
        resource = _load_json(args.response, "response")
        given = (
            _load_json(args.questionnaire, "Questionnaire")
            if args.questionnaire
            else None
        )
        scored = score_questionnaire_response(
            resource, questionnaire=given, measure=args.measure
        )
    except _Unreadable as exc:
        print(f"openproms fhir score: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except FhirInputError as exc:
        print(
            f"openproms fhir score: {args.response} cannot be scored:", file=sys.stderr
        )
        for issue in exc.issues:
            print(f"  - {issue.line()}", file=sys.stderr)
        json.dump(operation_outcome(exc.issues), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_DEFECT
    for issue in scored.issues:
        if issue.severity != "information":
            print(f"openproms fhir score: {issue.line()}", file=sys.stderr)
    json.dump(scores_json(scored), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="openproms fhir",
        description="Measures as FHIR R4 Questionnaires; score QuestionnaireResponses.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    q = commands.add_parser(
        "questionnaire", help="print a measure's Questionnaire (JSON)"
    )
    q.add_argument("measure_id", metavar="MEASURE_ID")
    q.add_argument("--version", help="the measure version (default: the latest)")
    s = commands.add_parser(
        "score", help="score a QuestionnaireResponse to a library measure"
    )
    s.add_argument("response", metavar="QR.json")
    s.add_argument(
        "--questionnaire",
        metavar="Q.json",
        help="the Questionnaire the response answers, when it is not openproms' own",
    )
    s.add_argument(
        "--measure", help="the measure answered, when the response does not say"
    )
    args = parser.parse_args(argv)
    if args.command == "questionnaire":
        return _questionnaire(args)
    return _score(args)
