"""Reads for outcome reporting: paired scores per episode, and collection counts.

Everything here is read-only and tenancy-scoped by the ``organisation`` argument
(and optionally some of its services). The figures themselves are computed by the
pure :mod:`openproms.stats` package from what these selectors return.

Period rule (``outcome_pairs``): an episode counts for the period [start, end] when
its *later* score (the latest score completed on or before ``end`` for
``pairing="latest"``, or the latest score at an exit time point completed on or
before ``end`` for ``pairing="exit"``) was completed inside [start, end]. Its
*first* score is the earliest score of the episode on that measure, whenever it was
completed (it may be before ``start``). The first and the later score must be two
different administrations. Dates are local (Europe/London) calendar days, both ends
included.

The modules, one sub-domain each:

* :mod:`.outcome_values`: each episode's first and later score as arrays (what a
  report without breakdowns reads; the commissioner report);
* :mod:`.outcome_pairs`: the same pairs with their breakdown keys (the dashboard);
* :mod:`.outcome_factors`: the same pairs with their service and case-mix factors
  as columns (the commissioner report's fair comparison of services);
* :mod:`.collection_summary`: reach, baseline completion, follow-up capture;
* :mod:`.measure_use`: the measure the dashboard opens on (the first with
  answers enough in the period);
* :mod:`.scope`: which episodes a report reads (the services chosen, and for
  funders, only people who have not said no to sharing with funders);
* :mod:`.raw`: values off the cursor, completion times as integer keys;
* :mod:`.postgres`: the PostgreSQL forms (parallel reads, packed rows, one grouped
  count).
"""

from openproms.reports.selectors.collection_summary import collection_summary
from openproms.reports.selectors.measure_use import default_measure
from openproms.reports.selectors.outcome_factors import (
    FACTOR_KEYS,
    EpisodeFactors,
    OutcomeFactors,
    episode_factors,
    outcome_factors,
    with_factors,
)
from openproms.reports.selectors.outcome_pairs import (
    GROUP_KEYS,
    NOT_RECORDED,
    OutcomePairs,
    outcome_pairs,
    outcome_pairs_with_capture,
)
from openproms.reports.selectors.outcome_values import (
    OutcomeValues,
    PairedArrays,
    Pairing,
    outcome_values,
    pair_scores,
)
from openproms.reports.selectors.postgres import run_together
from openproms.reports.selectors.scope import (
    Audience,
    EpisodeScope,
    episode_scope,
    funders_left_out,
)

__all__ = [
    "FACTOR_KEYS",
    "GROUP_KEYS",
    "NOT_RECORDED",
    "Audience",
    "EpisodeFactors",
    "EpisodeScope",
    "OutcomeFactors",
    "OutcomePairs",
    "OutcomeValues",
    "PairedArrays",
    "Pairing",
    "collection_summary",
    "default_measure",
    "episode_factors",
    "episode_scope",
    "funders_left_out",
    "outcome_factors",
    "outcome_pairs",
    "outcome_pairs_with_capture",
    "outcome_values",
    "pair_scores",
    "run_together",
    "with_factors",
]
