# Reference values for tests/stats/test_funnel.py and test_casemix.py, from R's lm().
#
# Run from the repository root (R is NOT needed to run the tests: the values are
# pinned in funnel_reference.json, written by this script):
#
#   Rscript tests/stats/data/funnel_reference.R > tests/stats/data/funnel_reference.out 2>&1
#
# Produced with R 4.2.2 (Debian bookworm r-base-core); base R only.
#
# Data:
# * ChickWeight: R's datasets::ChickWeight (Crowder & Hand 1990), chick weights
#   over 21 days on 4 diets. Baseline = weight on day 0, value = weight on day 21,
#   group = diet (the 45 chicks weighed on both days). Written to chickweight.csv.
# * casemix.csv: 400 made-up people in 8 services, generated here with
#   set.seed(2005): first score, age band, sex (some not recorded) and a change
#   that depends on them and on the service.

out_dir <- "tests/stats/data"
num <- function(x) formatC(x, digits = 15, format = "g")
z95 <- 1.959964
z998 <- 3.090232

funnel_groups <- function(group, adjusted, n, expected, s) {
  out <- character(0)
  for (g in sort(unique(group))) {
    k <- n[[g]]
    out <- c(out, sprintf(paste0(
      '{"group": "%s", "n": %d, "mean": %s, "expected": %s, "lower95": %s, ',
      '"upper95": %s, "lower998": %s, "upper998": %s}'),
      g, k, num(adjusted[[g]]), num(expected),
      num(expected - z95 * s / sqrt(k)), num(expected + z95 * s / sqrt(k)),
      num(expected - z998 * s / sqrt(k)), num(expected + z998 * s / sqrt(k))))
  }
  paste0("[", paste(out, collapse = ", "), "]")
}

# ---------------------------------------------------------------- ChickWeight
cw <- ChickWeight
first <- cw[cw$Time == 0, c("Chick", "Diet", "weight")]
last <- cw[cw$Time == 21, c("Chick", "weight")]
chicks <- merge(first, last, by = "Chick", suffixes = c("_day0", "_day21"))
chicks <- chicks[order(as.integer(as.character(chicks$Chick))), ]
chicks$Diet <- paste("Diet", chicks$Diet)
write.csv(data.frame(chick = chicks$Chick, diet = chicks$Diet,
                     day0 = chicks$weight_day0, day21 = chicks$weight_day21),
          file.path(out_dir, "chickweight.csv"), row.names = FALSE, quote = FALSE)

y <- chicks$weight_day21
g <- chicks$Diet
n <- table(g)
plain <- funnel_groups(g, tapply(y, g, mean), n, mean(y), sd(y))
fit <- lm(weight_day21 ~ weight_day0, data = chicks)
print(summary(fit))
adj <- tapply(y, g, mean) - tapply(fitted(fit), g, mean) + mean(y)
baseline <- funnel_groups(g, adj, n, mean(y), summary(fit)$sigma)

# ----------------------------------------------------------------- case mix
set.seed(2005)
m <- 400
service <- sample(paste("Service", LETTERS[1:8]), m, replace = TRUE,
                  prob = c(3, 1, 2, 1, 1, 4, 1, 2))
age <- sample(c("18-34", "35-54", "55-74", "75+"), m, replace = TRUE)
sex <- sample(c("Female", "Male", ""), m, replace = TRUE, prob = c(10, 9, 1))
first_score <- round(rnorm(m, 15, 5))
effect <- c(0, 1, -1, 0, 3, 0, -2, 0.5)[match(service, paste("Service", LETTERS[1:8]))]
change <- round(-0.4 * first_score + effect + c(0, 1, 2, 3)[match(age, c("18-34",
  "35-54", "55-74", "75+"))] + ifelse(sex == "Male", -1, 0) + rnorm(m, 0, 4))
write.csv(data.frame(service, first_score, age_band = age, sex, change),
          file.path(out_dir, "casemix.csv"), row.names = FALSE, quote = FALSE)

sex_level <- ifelse(sex == "", "Not recorded", sex)
cm <- lm(change ~ first_score + factor(age) + factor(sex_level))
print(summary(cm))
cm_adj <- tapply(change, service, mean) - tapply(fitted(cm), service, mean) +
  mean(change)
casemix <- funnel_groups(service, cm_adj, table(service), mean(change),
                         summary(cm)$sigma)

json <- paste0(
  "{\n",
  '"produced_with": "', R.version.string, '",\n',
  '"chickweight_unadjusted": ', plain, ",\n",
  '"chickweight_baseline": {"intercept": ', num(coef(fit)[1]), ', "slope": ',
  num(coef(fit)[2]), ', "sigma": ', num(summary(fit)$sigma), ', "groups": ',
  baseline, "},\n",
  '"casemix": {"sigma": ', num(summary(cm)$sigma), ', "df": ', cm$df.residual,
  ', "r_squared": ', num(summary(cm)$r.squared), ', "groups": ', casemix, "}\n}\n")
writeLines(json, file.path(out_dir, "funnel_reference.json"))
