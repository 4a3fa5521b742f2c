"""openproms.stats: group outcome statistics and disclosure control.

Pure Python (numpy only; never Django). The public API:

* paired change on one scale: :func:`paired_change`, :class:`PairedScore`,
  :class:`PairedChange`, :class:`ReliableChangeCounts`, :class:`RecoveryCounts`,
  :class:`Histogram`, :func:`nice_bin_width`;
* follow-up capture: :func:`follow_up_capture`, :class:`FollowUpCapture`;
* breakdowns and trends: :func:`paired_change_by`, :func:`paired_change_by_quarter`,
  :func:`group_pairs`, :func:`quarter_of`;
* estimates: :func:`paired_t_interval`, :func:`standardised_mean_change`,
  :func:`standardised_change_dz`, :func:`hedges_correction`, :class:`Estimate`,
  :func:`t_quantile`, :func:`t_cdf`;
* disclosure control: :func:`disclose`, :func:`disclose_cell`,
  :func:`protect_count`, :class:`Rule`, :data:`NHS_RULE`, :data:`ONS_RULE`,
  :data:`RULES`, the cells :class:`Count`, :class:`Percentage`, :class:`Mean`,
  :class:`Median`, :class:`Statistic`; :data:`SUPPRESSED` (``*``), :data:`HIDDEN`
  (``c``, margin protection), :data:`NOT_AVAILABLE` (``-``); sum relations
  :class:`Margin`, :func:`implied_bounds`, :func:`shown_bounds`;
* report cells: :func:`paired_change_figures`, :func:`breakdown_table`,
  :func:`capture_figures`, and their sum relations :func:`breakdown_margins`,
  :func:`figure_margins`, :func:`row_margins`, :data:`PERCENTAGE_OF`.

See docs/stats.md for the formulas, rules and references.
"""

from openproms.stats.breakdown import (
    NOT_RECORDED,
    group_pairs,
    paired_change_by,
    paired_change_by_quarter,
    quarter_of,
)
from openproms.stats.disclosure import (
    HIDDEN,
    NHS_RULE,
    NOT_AVAILABLE,
    ONS_RULE,
    RULES,
    SUPPRESSED,
    Cell,
    Count,
    Margin,
    Mean,
    Median,
    Percentage,
    Rule,
    Shown,
    Statistic,
    disclose,
    disclose_cell,
    implied_bounds,
    protect_count,
    shown_bounds,
)
from openproms.stats.distributions import t_cdf, t_quantile
from openproms.stats.effect_size import (
    Estimate,
    hedges_correction,
    paired_t_interval,
    standardised_change_dz,
    standardised_mean_change,
)
from openproms.stats.figures import (
    PERCENTAGE_OF,
    TOTAL,
    breakdown_margins,
    breakdown_table,
    capture_figures,
    figure_margins,
    paired_change_figures,
    row_margins,
)
from openproms.stats.paired import (
    FollowUpCapture,
    Histogram,
    PairedChange,
    PairedScore,
    RecoveryCounts,
    ReliableChangeCounts,
    ScoreArrays,
    follow_up_capture,
    nice_bin_width,
    paired_change,
)

__all__ = [
    "HIDDEN",
    "NHS_RULE",
    "NOT_AVAILABLE",
    "NOT_RECORDED",
    "ONS_RULE",
    "PERCENTAGE_OF",
    "RULES",
    "SUPPRESSED",
    "TOTAL",
    "Cell",
    "Count",
    "Estimate",
    "FollowUpCapture",
    "Histogram",
    "Margin",
    "Mean",
    "Median",
    "PairedChange",
    "PairedScore",
    "Percentage",
    "RecoveryCounts",
    "ReliableChangeCounts",
    "Rule",
    "ScoreArrays",
    "Shown",
    "Statistic",
    "breakdown_margins",
    "breakdown_table",
    "capture_figures",
    "disclose",
    "disclose_cell",
    "figure_margins",
    "follow_up_capture",
    "group_pairs",
    "hedges_correction",
    "implied_bounds",
    "nice_bin_width",
    "paired_change",
    "paired_change_by",
    "paired_change_by_quarter",
    "paired_change_figures",
    "paired_t_interval",
    "protect_count",
    "quarter_of",
    "row_margins",
    "shown_bounds",
    "standardised_change_dz",
    "standardised_mean_change",
    "t_cdf",
    "t_quantile",
]
