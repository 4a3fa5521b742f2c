# Reference values for tests/stats/test_psychometrics.py, from R's psych package.
#
# Run from the repository root (R and psych are NOT needed to run the tests: the
# values are pinned in psych_reference.json, written by this script):
#
#   Rscript tests/stats/data/psych_reference.R > tests/stats/data/psych_reference.out 2>&1
#
# Produced with R 4.2.2, psych 2.2.9 and GPArotation 2022.10.2 (Debian bookworm
# packages r-base-core, r-cran-psych, r-cran-gparotation). The printed output of the
# run is kept beside this file as psych_reference.out.
#
# Data (all public, shipped with R or psych):
# * bfi: 25 personality self-report items (IPIP, public domain) from the SAPA
#   project, 2,800 people, answers 1-6 (Revelle, Wilt & Rosenthal 2010; psych's
#   data set `bfi`, psych is GPL-2 | GPL-3). The Agreeableness (A1-A5) and
#   Conscientiousness (C1-C5) items are written to bfi_ac.csv (missing answers
#   left empty) with psych's row names as `id`.
# * attitude: R's datasets::attitude (Chatterjee & Price 1977), 30 departments,
#   7 ratings (0-100); a small sample, written to attitude.csv.
# * sleep: R's datasets::sleep (Cushny & Peebles 1905, Student 1908), 10 people
#   measured under two drugs; used as two occasions for ICC and the standardised
#   response mean.
# * Shrout & Fleiss (1979) Table 2: 6 targets rated by 4 judges, the example in
#   psych's ?ICC; the paper prints ICC(1,1) = .17, ICC(2,1) = .29, ICC(3,1) = .71.

suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
})

out_dir <- "tests/stats/data"
num <- function(x) {
  ifelse(is.na(x), "null", formatC(x, digits = 15, format = "g"))
}
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
mat <- function(m) paste0("[", paste(apply(m, 1, vec), collapse = ", "), "]")
str_vec <- function(x) paste0("[", paste0('"', x, '"', collapse = ", "), "]")

# --------------------------------------------------------------- fixture CSV
data(bfi)
ac <- bfi[, c(paste0("A", 1:5), paste0("C", 1:5))]
fixture <- data.frame(id = rownames(ac), ac, check.names = FALSE)
write.csv(fixture, file.path(out_dir, "bfi_ac.csv"), row.names = FALSE,
          na = "", quote = FALSE)
write.csv(attitude, file.path(out_dir, "attitude.csv"), row.names = FALSE,
          quote = FALSE)

# ------------------------------------------------------------ one scale
# x: the raw columns (with NA); reverse: names to score as min + max - x.
scale_reference <- function(label, x, reverse, lo, hi) {
  missing <- colSums(is.na(x))
  for (r in reverse) x[[r]] <- lo + hi - x[[r]]
  complete <- na.omit(x)
  n <- nrow(complete)
  k <- ncol(complete)
  a <- alpha(complete, check.keys = FALSE, warnings = FALSE)
  ci <- alpha.ci(a$total$raw_alpha, n.obs = n, n.var = k)
  om <- suppressWarnings(suppressMessages(
    omega(complete, nfactors = 1, fm = "minres", plot = FALSE)))
  r <- cor(complete)
  total <- rowSums(complete)
  cat("\n=====", label, "=====\n")
  print(a)
  print(ci)
  print(om$omega.tot)
  print(om$schmid$sl)
  sprintf(paste0(
    '"%s": {"items": %s, "reverse": %s, "min": %s, "max": %s, "rows": %d, ',
    '"n": %d, "alpha": %s, "alpha_ci": [%s, %s], "std_alpha": %s, ',
    '"average_r": %s, "omega_total": %s, "loadings": %s, "uniquenesses": %s, ',
    '"mean": %s, "sd": %s, "r_drop": %s, "alpha_if_dropped": %s, ',
    '"floor": %s, "ceiling": %s, "missing": %s, "correlations": %s, ',
    '"total_floor": %s, "total_ceiling": %s}'),
    label, str_vec(colnames(x)),
    if (length(reverse)) str_vec(reverse) else "[]", num(lo), num(hi),
    nrow(x), n, num(a$total$raw_alpha), num(ci$lower.ci), num(ci$upper.ci),
    num(a$total$std.alpha), num(a$total$average_r), num(om$omega.tot),
    vec(om$schmid$sl[, "g"]), vec(om$schmid$sl[, "u2"]),
    vec(a$item.stats$mean), vec(a$item.stats$sd), vec(a$item.stats$r.drop),
    vec(a$alpha.drop$raw_alpha),
    vec(100 * colMeans(complete == lo)), vec(100 * colMeans(complete == hi)),
    vec(missing), mat(r),
    num(100 * mean(total == k * lo)), num(100 * mean(total == k * hi)))
}

scales <- c(
  scale_reference("agreeableness", bfi[, paste0("A", 1:5)], "A1", 1, 6),
  scale_reference("conscientiousness", bfi[, paste0("C", 1:5)],
                  c("C4", "C5"), 1, 6),
  scale_reference("attitude", attitude, character(0), 0, 100)
)

# ------------------------------------------------------------ ICC and SRM
icc_reference <- function(label, x) {
  res <- ICC(x, lmer = FALSE)
  cat("\n=====", label, "=====\n")
  print(res)
  rows <- res$results
  sprintf(paste0(
    '"%s": {"data": %s, "ICC1": [%s, %s, %s], "ICC2": [%s, %s, %s], ',
    '"ICC3": [%s, %s, %s], "MSB": %s, "MSJ": %s, "MSE": %s}'),
    label, mat(as.matrix(x)),
    num(rows["Single_raters_absolute", "ICC"]),
    num(rows["Single_raters_absolute", "lower bound"]),
    num(rows["Single_raters_absolute", "upper bound"]),
    num(rows["Single_random_raters", "ICC"]),
    num(rows["Single_random_raters", "lower bound"]),
    num(rows["Single_random_raters", "upper bound"]),
    num(rows["Single_fixed_raters", "ICC"]),
    num(rows["Single_fixed_raters", "lower bound"]),
    num(rows["Single_fixed_raters", "upper bound"]),
    num(res$stats["MS", "subjects"]), num(res$stats["MS", "Judges"]),
    num(res$stats["MS", "Residual"]))
}

sf <- matrix(c(9, 2, 5, 8,   # as in psych's ?ICC example: one row per target,
               6, 1, 3, 2,   # one column per judge
               8, 4, 6, 8,
               7, 1, 2, 6,
               10, 5, 6, 9,
               6, 2, 4, 7), ncol = 4, byrow = TRUE)
sleep_wide <- cbind(sleep$extra[sleep$group == 1], sleep$extra[sleep$group == 2])
change <- sleep_wide[, 2] - sleep_wide[, 1]
iccs <- c(icc_reference("shrout_fleiss", sf),
          icc_reference("sleep", sleep_wide))
srm <- sprintf('"sleep_srm": {"mean_change": %s, "sd_change": %s, "srm": %s}',
               num(mean(change)), num(sd(change)), num(mean(change) / sd(change)))

# ---------------------------------------------------------- F quantiles
f_cases <- rbind(c(0.025, 2708, 10832), c(0.975, 2708, 10832), c(0.975, 29, 174),
                 c(0.025, 29, 174), c(0.975, 5, 15), c(0.999, 1, 1),
                 c(0.5, 3.7, 12.4), c(0.975, 9, 2.3418))
fq <- apply(f_cases, 1, function(r) {
  sprintf("[%s, %s, %s, %s]", num(r[1]), num(r[2]), num(r[3]),
          num(qf(r[1], r[2], r[3])))
})

json <- paste0(
  "{\n",
  '"produced_with": "', R.version.string, ", psych ", packageVersion("psych"),
  ", GPArotation ", packageVersion("GPArotation"), '",\n',
  paste(c(scales, iccs, srm), collapse = ",\n"), ",\n",
  '"f_quantiles": [', paste(fq, collapse = ", "), "]\n}\n")
writeLines(json, file.path(out_dir, "psych_reference.json"))
