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
* figures rounded for reading, never "-0.0": :func:`rounded`, :func:`fixed`;
* disclosure control: :func:`disclose`, :func:`disclose_cell`,
  :func:`protect_count`, :class:`Rule`, :data:`NHS_RULE`, :data:`ONS_RULE`,
  :data:`RULES`, the cells :class:`Count`, :class:`Percentage`, :class:`Mean`,
  :class:`Median`, :class:`Statistic`; :data:`SUPPRESSED` (``*``), :data:`HIDDEN`
  (``c``, margin protection), :data:`NOT_AVAILABLE` (``-``); sum relations
  :class:`Margin`, :func:`implied_bounds`, :func:`shown_bounds`;
* report cells: :func:`paired_change_figures`, :func:`breakdown_table`,
  :func:`capture_figures`, and their sum relations :func:`breakdown_margins`,
  :func:`figure_margins`, :func:`row_margins`, :data:`PERCENTAGE_OF`;
* psychometrics: :func:`scale_analysis`, :func:`subscale_analysis`,
  :class:`ScaleAnalysis`, :class:`ItemStatistics`, :class:`Interval`,
  :func:`cronbach_alpha`, :func:`alpha_interval`, :func:`omega_total`,
  :class:`NotEnoughData`; test-retest and responsiveness: :func:`icc_agreement`,
  :func:`retest_agreement`, :func:`retest_pairs`, :class:`RetestAnswer`,
  :class:`ICC`, :func:`standardised_response_mean`, :class:`Responsiveness`;
  :func:`f_quantile`, :func:`f_cdf`;
* funnel plots and case-mix adjustment: :func:`unadjusted_funnel`,
  :func:`baseline_funnel`, :func:`casemix_funnel`, :func:`fit_casemix`,
  :class:`Funnel`, :class:`FunnelGroup`, :class:`CasemixModel`,
  :func:`funnel_limits`, :data:`Z95`, :data:`Z998`.

See docs/stats.md for the formulas, rules and references.
"""

from openproms.stats.breakdown import (
    NOT_RECORDED,
    Factor,
    group_pairs,
    paired_change_by,
    paired_change_by_quarter,
    quarter_of,
)
from openproms.stats.casemix import (
    CasemixModel,
    baseline_funnel,
    casemix_funnel,
    fit_casemix,
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
from openproms.stats.distributions import f_cdf, f_quantile, t_cdf, t_quantile
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
from openproms.stats.funnel import (
    Z95,
    Z998,
    Funnel,
    FunnelGroup,
    funnel_limits,
    unadjusted_funnel,
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
from openproms.stats.psychometrics import (
    Interval,
    ItemStatistics,
    NotEnoughData,
    ScaleAnalysis,
    alpha_interval,
    cronbach_alpha,
    omega_total,
    scale_analysis,
    subscale_analysis,
)
from openproms.stats.retest import (
    ICC,
    Responsiveness,
    RetestAnswer,
    icc_agreement,
    retest_agreement,
    retest_pairs,
    standardised_response_mean,
)
from openproms.stats.rounding import fixed, rounded

__all__ = [
    "HIDDEN",
    "ICC",
    "NHS_RULE",
    "NOT_AVAILABLE",
    "NOT_RECORDED",
    "ONS_RULE",
    "PERCENTAGE_OF",
    "RULES",
    "SUPPRESSED",
    "TOTAL",
    "Z95",
    "Z998",
    "CasemixModel",
    "Cell",
    "Count",
    "Estimate",
    "Factor",
    "FollowUpCapture",
    "Funnel",
    "FunnelGroup",
    "Histogram",
    "Interval",
    "ItemStatistics",
    "Margin",
    "Mean",
    "Median",
    "NotEnoughData",
    "PairedChange",
    "PairedScore",
    "Percentage",
    "RecoveryCounts",
    "ReliableChangeCounts",
    "Responsiveness",
    "RetestAnswer",
    "Rule",
    "ScaleAnalysis",
    "ScoreArrays",
    "Shown",
    "Statistic",
    "alpha_interval",
    "baseline_funnel",
    "breakdown_margins",
    "breakdown_table",
    "capture_figures",
    "casemix_funnel",
    "cronbach_alpha",
    "disclose",
    "disclose_cell",
    "f_cdf",
    "f_quantile",
    "figure_margins",
    "fit_casemix",
    "fixed",
    "follow_up_capture",
    "funnel_limits",
    "group_pairs",
    "hedges_correction",
    "icc_agreement",
    "implied_bounds",
    "nice_bin_width",
    "omega_total",
    "paired_change",
    "paired_change_by",
    "paired_change_by_quarter",
    "paired_change_figures",
    "paired_t_interval",
    "protect_count",
    "quarter_of",
    "retest_agreement",
    "retest_pairs",
    "rounded",
    "row_margins",
    "scale_analysis",
    "shown_bounds",
    "standardised_change_dz",
    "standardised_mean_change",
    "standardised_response_mean",
    "subscale_analysis",
    "t_cdf",
    "t_quantile",
    "unadjusted_funnel",
]
