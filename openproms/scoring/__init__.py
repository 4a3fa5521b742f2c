"""openproms.scoring: measure definitions, scoring, derived scores and change.

Pure Python (numpy and jsonschema only; never Django). The public API:

* library: :func:`default_library`, :func:`get_measure`, :func:`load_library`,
  :class:`Library`, :func:`definition_from_dict`, :func:`check_definition`,
  :class:`MeasureDefinition` (and its parts);
* scoring one response: :func:`score_response`, :func:`validate_answers`,
  :class:`ResponseScore`, :class:`ScaleScore`, :class:`RiskAlert`;
* scoring many: :func:`score_table`, :class:`ScoreTable`, :class:`ScaleColumns`;
* derived scores: :func:`score_derived`, :func:`derived_answers`,
  :func:`score_derived_table`;
* change: :func:`individual_change`, :class:`Change`, :func:`caseness_phrase`,
  :func:`moved_the_wrong_way`, :func:`standard_error_of_difference`,
  :func:`jacobson_truax_threshold`, :func:`reliable_change_index`;
* measurement error: :func:`scale_measurement_error`, :class:`MeasurementError`,
  :func:`score_interval`, :class:`Interval`, :func:`standard_error_of_measurement`,
  :func:`has_measurement_error`, :func:`no_sem_reason`, :func:`margin_text`;
* names: :func:`display_title`, :func:`full_name` (each name once);
* wording: :func:`definition_with_wording`, :func:`item_text`,
  :func:`option_label`, :func:`require_wording`, :func:`has_wording`;
* ladders and bespoke measures: :func:`ladder_definition`,
  :func:`bespoke_definition`;
* errors: :class:`ScoringError`, :class:`DefinitionError`, :class:`MeasureNotFound`,
  :class:`WordingNotAvailable`, :class:`ResponseInvalid`, :class:`AnswerError`.

See docs/scoring.md for examples.
"""

from openproms.scoring.change import (
    Change,
    caseness_phrase,
    individual_change,
    jacobson_truax_threshold,
    moved_the_wrong_way,
    reliable_change_index,
    standard_error_of_difference,
)
from openproms.scoring.definition_check import (
    check_definition,
    definition_from_dict,
    measure_schema,
)
from openproms.scoring.definitions import Item, MeasureDefinition, Scale, Source
from openproms.scoring.derive import derived_answers, score_derived, score_derived_table
from openproms.scoring.engine import (
    ResponseScore,
    RiskAlert,
    ScaleScore,
    score_response,
    validate_answers,
)
from openproms.scoring.errors import (
    AnswerError,
    DefinitionError,
    MeasureNotFound,
    ResponseInvalid,
    ScoringError,
    WordingNotAvailable,
)
from openproms.scoring.ladder import bespoke_definition, ladder_definition
from openproms.scoring.library import (
    Library,
    default_library,
    get_measure,
    load_library,
)
from openproms.scoring.measurement_error import (
    Interval,
    MeasurementError,
    has_measurement_error,
    margin_text,
    no_sem_reason,
    scale_measurement_error,
    score_interval,
    standard_error_of_measurement,
)
from openproms.scoring.names import display_title, full_name
from openproms.scoring.vector import ScaleColumns, ScoreTable, score_table
from openproms.scoring.wording import (
    definition_with_wording,
    has_wording,
    item_text,
    option_label,
    require_wording,
)

__all__ = [
    "AnswerError",
    "Change",
    "DefinitionError",
    "Interval",
    "Item",
    "Library",
    "MeasureDefinition",
    "MeasureNotFound",
    "MeasurementError",
    "ResponseInvalid",
    "ResponseScore",
    "RiskAlert",
    "Scale",
    "ScaleColumns",
    "ScaleScore",
    "ScoreTable",
    "ScoringError",
    "Source",
    "WordingNotAvailable",
    "bespoke_definition",
    "caseness_phrase",
    "check_definition",
    "default_library",
    "definition_from_dict",
    "definition_with_wording",
    "derived_answers",
    "display_title",
    "full_name",
    "get_measure",
    "has_measurement_error",
    "has_wording",
    "individual_change",
    "item_text",
    "jacobson_truax_threshold",
    "ladder_definition",
    "load_library",
    "margin_text",
    "measure_schema",
    "moved_the_wrong_way",
    "no_sem_reason",
    "option_label",
    "reliable_change_index",
    "require_wording",
    "scale_measurement_error",
    "score_derived",
    "score_derived_table",
    "score_interval",
    "score_response",
    "score_table",
    "standard_error_of_difference",
    "standard_error_of_measurement",
    "validate_answers",
]
