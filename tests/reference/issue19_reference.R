# Reference values for issue 19, computed by R (independently of the project's Python code).
#
# Input : tests/reference/issue19_data.csv  (USUBJID, ARM, STRAT1, STRAT2, AVAL, EVENT, RESP)
#         ARM "Control" is the reference arm; AVAL = days (integer, with tied event times);
#         EVENT 1 = event / 0 = censored; RESP 1 = responder.
# Output: tests/reference/issue19_reference.json (written next to this script)
#
# What it computes:
#   cox_unstratified     coxph(Surv(AVAL, EVENT) ~ ARM, ties = "efron"), ARM reference "Control":
#                        coef, SE, HR = exp(coef), 95% CI = exp(confint), Wald p,
#                        score (= log-rank) test from summary()
#   cox_stratified       the same + strata(STRAT1, STRAT2)
#   cox_breslow          unstratified, ties = "breslow" (for contrast with Efron)
#   logrank_unstratified survdiff(Surv(AVAL, EVENT) ~ ARM): chisq, df, p, observed/expected per arm
#   logrank_stratified   survdiff(... ~ ARM + strata(STRAT1, STRAT2)), the same fields
#                        (+ observed/expected per arm within each stratum)
#   response             responders / n per arm and the 2 x 2 x 4 table RESP by ARM within the
#                        strata STRAT1 x STRAT2
#   cmh_correct,         mantelhaen.test(table, correct = TRUE / FALSE): statistic, p, MH common
#   cmh_uncorrected      odds ratio (experimental vs control odds of response) and its 95% CI
#   orr_difference       difference in response rates (Experimental - Control) with the 95%
#                        Miettinen-Nurminen (1985) score interval (own implementation, see
#                        section 6 - none of DescTools / PropCIs / ratesci / exact2x2 / gsDesign
#                        exists as a Debian package; r-cran-rpact does but has no MN interval)
#   sample_sizes         power.prop.test n per group; Schoenfeld's number of events for HR 0.7
#                        (and rpact's getSampleSizeSurvival events for comparison, if installed)
#
# How to run (from anywhere):
#   Rscript tests/reference/issue19_reference.R [path/to/issue19_data.csv [path/to/output.json]]
# Needs R with survival and jsonlite (Debian: r-cran-survival, r-cran-jsonlite); rpact is optional
# (r-cran-rpact) and only adds a cross-check of the event numbers.
#
# JSON conventions:
#   * written with jsonlite::write_json(digits = NA, auto_unbox = TRUE, pretty = TRUE). jsonlite's
#     digits = NA stops at 15 significant digits, so every number is first turned into the shortest
#     of %.15g / %.16g / %.17g that reads back as the identical double and handed to jsonlite as
#     verbatim JSON (json_verbatim = TRUE): full double precision;
#   * NA / NaN -> null, +Inf / -Inf -> the strings "Inf" / "-Inf";
#   * R warnings raised by a computation are stored in a "warnings" array next to its results.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
have_rpact <- requireNamespace("rpact", quietly = TRUE)

# ---------------------------------------------------------------- paths
cmd_args <- commandArgs(trailingOnly = TRUE)
all_args <- commandArgs(trailingOnly = FALSE)
script_file <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(script_file) == 1) dirname(normalizePath(script_file)) else
  file.path("tests", "reference")
csv_file <- if (length(cmd_args) >= 1) cmd_args[1] else file.path(script_dir, "issue19_data.csv")
out_file <- if (length(cmd_args) >= 2) cmd_args[2] else file.path(script_dir, "issue19_reference.json")

# ---------------------------------------------------------------- helpers
source(file.path(script_dir, "issue19_json.R"))  # num_json, prep, arr, named, with_warnings

# ---------------------------------------------------------------- data
d <- read.csv(csv_file, stringsAsFactors = FALSE)
d$ARM  <- factor(d$ARM, levels = c("Control", "Experimental"))   # reference level first
stopifnot(!anyNA(d$ARM), all(d$EVENT %in% 0:1), all(d$RESP %in% 0:1))

out <- list()
out$provenance <- list(
  R_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  rpact_version = if (have_rpact) as.character(packageVersion("rpact")) else NA_character_,
  date = format(Sys.Date()),
  script = "tests/reference/issue19_reference.R",
  data = "tests/reference/issue19_data.csv",
  n_subjects = nrow(d),
  n_events = sum(d$EVENT),
  json_conventions = paste(
    "numbers at full double precision (shortest round-trip decimal); NA/NaN -> null;",
    "+Inf/-Inf -> strings \"Inf\"/\"-Inf\"")
)

# ================================================================ 1-3. Cox models
cox_block <- function(formula, ties) {
  r <- with_warnings(coxph(formula, data = d, ties = ties))
  fit <- r$value
  s <- summary(fit)
  ci <- exp(confint(fit))
  list(
    formula = paste(deparse(formula), collapse = ""),
    ties = ties,
    term = "ARMExperimental",
    comparison = "Experimental vs Control (reference)",
    coef = unname(coef(fit)[1]),
    se = unname(sqrt(diag(vcov(fit)))[1]),
    hr = unname(exp(coef(fit))[1]),
    hr_lower_95 = unname(ci[1, 1]),
    hr_upper_95 = unname(ci[1, 2]),
    wald_z = unname(s$coefficients[1, "z"]),
    wald_p = unname(s$coefficients[1, "Pr(>|z|)"]),
    score_logrank_chisq = unname(s$sctest["test"]),
    score_logrank_df = unname(s$sctest["df"]),
    score_logrank_p = unname(s$sctest["pvalue"]),
    lr_chisq = unname(s$logtest["test"]),
    lr_p = unname(s$logtest["pvalue"]),
    loglik = arr(fit$loglik),                      # null model, fitted model
    n = fit$n,
    nevent = fit$nevent,
    iterations = fit$iter,
    warnings = arr(r$warnings)
  )
}
out$cox_unstratified <- cox_block(Surv(AVAL, EVENT) ~ ARM, "efron")
out$cox_stratified   <- cox_block(Surv(AVAL, EVENT) ~ ARM + strata(STRAT1, STRAT2), "efron")
out$cox_breslow      <- cox_block(Surv(AVAL, EVENT) ~ ARM, "breslow")

# ================================================================ 4. log-rank tests
logrank_block <- function(formula) {
  r <- with_warnings(survdiff(formula, data = d))
  sd <- r$value
  obs <- sd$obs; ex <- sd$exp
  arms <- levels(d$ARM)
  strat <- is.matrix(obs)                          # stratified: arms x strata matrices
  obs_arm <- if (strat) rowSums(obs) else obs
  exp_arm <- if (strat) rowSums(ex) else ex
  df <- sum(exp_arm > 0) - 1                       # as print.survdiff
  res <- list(
    formula = paste(deparse(formula), collapse = ""),
    chisq = sd$chisq,
    df = df,
    p = pchisq(sd$chisq, df, lower.tail = FALSE),
    n = named(setNames(as.numeric(sd$n), arms)),
    observed = named(setNames(obs_arm, arms)),
    expected = named(setNames(exp_arm, arms)),
    variance_experimental = sd$var[2, 2]
  )
  if (strat) {
    snames <- names(sd$strata)
    res$strata <- lapply(seq_along(snames), function(k) list(
      stratum = snames[k],
      n = unname(sd$strata[k]),
      observed = named(setNames(obs[, k], arms)),
      expected = named(setNames(ex[, k], arms))))
  }
  res$warnings <- arr(r$warnings)
  res
}
out$logrank_unstratified <- logrank_block(Surv(AVAL, EVENT) ~ ARM)
out$logrank_stratified   <- logrank_block(Surv(AVAL, EVENT) ~ ARM + strata(STRAT1, STRAT2))

# ================================================================ 5. response, CMH
arm2 <- factor(as.character(d$ARM), levels = c("Experimental", "Control"))
resp2 <- factor(d$RESP, levels = c(1, 0))
stratum <- factor(paste(d$STRAT1, d$STRAT2, sep = " / "))
tab <- table(ARM = arm2, RESP = resp2, STRATUM = stratum)      # 2 x 2 x K

x_exp <- sum(d$RESP[arm2 == "Experimental"]); n_exp <- sum(arm2 == "Experimental")
x_ctl <- sum(d$RESP[arm2 == "Control"]);      n_ctl <- sum(arm2 == "Control")

out$response <- list(
  by_arm = list(
    Experimental = list(responders = x_exp, n = n_exp, rate = x_exp / n_exp),
    Control      = list(responders = x_ctl, n = n_ctl, rate = x_ctl / n_ctl)),
  table_orientation = paste(
    "rows = ARM with levels c(\"Experimental\",\"Control\"); columns = RESP with levels c(1,0);",
    "strata = STRAT1 x STRAT2 (label \"STRAT1 / STRAT2\"). Cells: a = Experimental responders,",
    "b = Experimental non-responders, c = Control responders, d = Control non-responders;",
    "odds ratio = experimental-vs-control odds of response"),
  strata = lapply(dimnames(tab)$STRATUM, function(s) list(
    stratum = s,
    a_exp_resp = tab["Experimental", "1", s], b_exp_nonresp = tab["Experimental", "0", s],
    c_ctl_resp = tab["Control", "1", s],      d_ctl_nonresp = tab["Control", "0", s]))
)

cmh_block <- function(correct) {
  r <- with_warnings(mantelhaen.test(tab, correct = correct))
  m <- r$value
  list(
    call = sprintf("mantelhaen.test(table(ARM, RESP, STRATUM), correct = %s)", correct),
    table_orientation = out$response$table_orientation,
    statistic = unname(m$statistic),
    df = unname(m$parameter),
    p = m$p.value,
    common_odds_ratio_mh = unname(m$estimate),
    or_lower_95 = m$conf.int[1],
    or_upper_95 = m$conf.int[2],
    note = paste("estimate and conf.int (Robins-Breslow-Greenland variance) do not depend on",
                 "'correct'; only the statistic and p do"),
    warnings = arr(r$warnings)
  )
}
out$cmh_correct     <- cmh_block(TRUE)
out$cmh_uncorrected <- cmh_block(FALSE)

# ================================================================ 6. MN interval
# Miettinen & Nurminen (1985), Stat Med 4:213-226. For a hypothesised difference delta = p1 - p2
# the restricted MLEs (p1~, p2~ = p1~ - delta) have the closed-form cubic solution given by
# Miettinen & Nurminen (1985, appendix) and Farrington & Manning (1990, Stat Med 9:1447-1454):
#   theta = n2/n1, a = 1 + theta,
#   b = -(1 + theta + p1^ + theta p2^ + delta (theta + 2)),
#   c = delta^2 + delta (2 p1^ + theta + 1) + p1^ + theta p2^,
#   d = -p1^ delta (1 + delta),
#   v = b^3/(3a)^3 - b c/(6 a^2) + d/(2a),  u = sign(v) sqrt(b^2/(3a)^2 - c/(3a)),
#   w = (pi + acos(v/u^3))/3,  p1~ = 2 u cos(w) - b/(3a),  p2~ = p1~ - delta.
# Score statistic z(delta) = (p1^ - p2^ - delta) / sqrt(V),
#   V = (p1~(1-p1~)/n1 + p2~(1-p2~)/n2) * N/(N-1)      (N = n1 + n2; without the N/(N-1)
#   factor this is Mee's (1984) / Farrington-Manning's interval).
# The 95% interval is {delta : |z(delta)| <= qnorm(0.975)}; z is monotone decreasing in delta,
# so each bound is the root of z(delta) = +-qnorm(0.975), found with uniroot(tol = 1e-12).
mn_restricted_mle <- function(x1, n1, x2, n2, delta) {
  p1h <- x1 / n1; p2h <- x2 / n2
  theta <- n2 / n1
  a <- 1 + theta
  b <- -(1 + theta + p1h + theta * p2h + delta * (theta + 2))
  c <- delta^2 + delta * (2 * p1h + theta + 1) + p1h + theta * p2h
  dd <- -p1h * delta * (1 + delta)
  v <- b^3 / (3 * a)^3 - b * c / (6 * a^2) + dd / (2 * a)
  u <- sign(v) * sqrt(max(b^2 / (3 * a)^2 - c / (3 * a), 0))
  ratio <- if (u == 0) 0 else max(-1, min(1, v / u^3))     # guard rounding outside [-1, 1]
  w <- (pi + acos(ratio)) / 3
  p1t <- 2 * u * cos(w) - b / (3 * a)
  p1t <- min(max(p1t, 0, delta), 1, 1 + delta)              # keep p1~ and p2~ inside [0, 1]
  c(p1 = p1t, p2 = p1t - delta)
}
mn_z <- function(x1, n1, x2, n2, delta, nn_correction = TRUE) {
  p <- mn_restricted_mle(x1, n1, x2, n2, delta)
  N <- n1 + n2
  V <- p[["p1"]] * (1 - p[["p1"]]) / n1 + p[["p2"]] * (1 - p[["p2"]]) / n2
  if (nn_correction) V <- V * N / (N - 1)
  num <- x1 / n1 - x2 / n2 - delta
  if (V <= 0) return(if (num == 0) 0 else sign(num) * 1e10)  # delta = +-1 edge
  num / sqrt(V)
}
mn_ci <- function(x1, n1, x2, n2, conf.level = 0.95, nn_correction = TRUE) {
  zc <- qnorm(1 - (1 - conf.level) / 2)
  est <- x1 / n1 - x2 / n2
  f <- function(delta, target) mn_z(x1, n1, x2, n2, delta, nn_correction) - target
  lower <- if (est <= -1 || f(-1, zc) <= 0) -1 else
    uniroot(f, c(-1, est), target = zc, tol = 1e-12)$root
  upper <- if (est >= 1 || f(1, -zc) >= 0) 1 else
    uniroot(f, c(est, 1), target = -zc, tol = 1e-12)$root
  c(estimate = est, lower = lower, upper = upper)
}

# Independent check of the closed-form restricted MLE: maximise the binomial log-likelihood
# over p2 numerically under p1 = p2 + delta.
mn_restricted_mle_numeric <- function(x1, n1, x2, n2, delta) {
  ll <- function(p2) dbinom(x1, n1, p2 + delta, log = TRUE) + dbinom(x2, n2, p2, log = TRUE)
  o <- optimize(ll, c(max(0, -delta), min(1, 1 - delta)), maximum = TRUE, tol = 1e-14)
  c(p1 = o$maximum + delta, p2 = o$maximum)
}

# Validation against published values. Newcombe (1998), Stat Med 17:873-890, Table II, method 6
# (Miettinen-Nurminen) and method 5 (Mee), 95% intervals to 4 decimals:
#   56/70 - 48/80 : MN 0.0528 to 0.3382     Mee 0.0533 to 0.3377
#    9/10 -  3/10 : MN 0.1700 to 0.8406     Mee 0.1821 to 0.8370
#   10/10 -  0/20 : MN 0.7156 to 1.0000     Mee 0.7225 to 1.0000
# (the paper itself was not accessible here; the values are quoted as reproduced, with SAS PROC FREQ
# RISKDIFF(CL=MN / FM) output agreeing, in the WUSS 2016 paper 127
# https://www.lexjansen.com/wuss/2016/127_Final_Paper_PDF.pdf, page 9).
published <- list(
  list(x1 = 56, n1 = 70, x2 = 48, n2 = 80, mn = c(0.0528, 0.3382), mee = c(0.0533, 0.3377)),
  list(x1 = 9,  n1 = 10, x2 = 3,  n2 = 10, mn = c(0.1700, 0.8406), mee = c(0.1821, 0.8370)),
  list(x1 = 10, n1 = 10, x2 = 0,  n2 = 20, mn = c(0.7156, 1.0000), mee = c(0.7225, 1.0000))
)
validation <- lapply(published, function(e) {
  mn  <- mn_ci(e$x1, e$n1, e$x2, e$n2)
  mee <- mn_ci(e$x1, e$n1, e$x2, e$n2, nn_correction = FALSE)
  ok <- all(abs(round(mn[c("lower", "upper")], 4) - e$mn) < 1e-12) &&
        all(abs(round(mee[c("lower", "upper")], 4) - e$mee) < 1e-12)
  list(example = sprintf("%d/%d - %d/%d", e$x1, e$n1, e$x2, e$n2),
       published_mn = arr(e$mn), computed_mn = arr(unname(mn[c("lower", "upper")])),
       published_mee = arr(e$mee), computed_mee = arr(unname(mee[c("lower", "upper")])),
       agrees_to_4_decimals = ok)
})
if (!all(vapply(validation, `[[`, logical(1), "agrees_to_4_decimals")))
  stop("MN implementation does not reproduce the published values")

mn <- mn_ci(x_exp, n_exp, x_ctl, n_ctl)
# cross-check of the cubic solution at the two bounds
cubic_check <- max(abs(c(
  mn_restricted_mle(x_exp, n_exp, x_ctl, n_ctl, mn[["lower"]]) -
    mn_restricted_mle_numeric(x_exp, n_exp, x_ctl, n_ctl, mn[["lower"]]),
  mn_restricted_mle(x_exp, n_exp, x_ctl, n_ctl, mn[["upper"]]) -
    mn_restricted_mle_numeric(x_exp, n_exp, x_ctl, n_ctl, mn[["upper"]]))))
stopifnot(cubic_check < 1e-6)

out$orr_difference <- list(
  comparison = "Experimental - Control (response rate difference)",
  x_experimental = x_exp, n_experimental = n_exp, x_control = x_ctl, n_control = n_ctl,
  estimate = mn[["estimate"]],
  lower = mn[["lower"]],
  upper = mn[["upper"]],
  conf_level = 0.95,
  z_critical = qnorm(0.975),
  z_at_lower = mn_z(x_exp, n_exp, x_ctl, n_ctl, mn[["lower"]]),
  z_at_upper = mn_z(x_exp, n_exp, x_ctl, n_ctl, mn[["upper"]]),
  method = paste("Miettinen-Nurminen (1985) asymptotic score interval: restricted MLE by the",
                 "closed-form cubic solution (Miettinen-Nurminen 1985 / Farrington-Manning 1990),",
                 "variance x N/(N-1), bounds by uniroot(tol = 1e-12) on z(delta) = +-qnorm(0.975)"),
  source = paste("own R implementation in this script (none of DescTools, PropCIs, ratesci,",
                 "exact2x2, gsDesign is installed or available as a Debian package;",
                 "r-cran-rpact is, but has no MN interval for a risk difference)"),
  mee_interval_without_N_over_N_minus_1 = arr(unname(
    mn_ci(x_exp, n_exp, x_ctl, n_ctl, nn_correction = FALSE)[c("lower", "upper")])),
  restricted_mle_cubic_vs_numeric_max_abs_diff = cubic_check,
  validation_reference = paste(
    "Newcombe RG (1998) Stat Med 17:873-890, Table II, methods 6 (MN) and 5 (Mee), as reproduced",
    "in WUSS 2016 paper 127 (lexjansen.com/wuss/2016/127_Final_Paper_PDF.pdf, p. 9)"),
  validation = validation
)

# ================================================================ 7. sample sizes
pp <- power.prop.test(p1 = 0.25, p2 = 0.42, sig.level = 0.05, power = 0.80)
schoenfeld <- function(hr, alpha, power) (qnorm(1 - alpha / 2) + qnorm(power))^2 / (0.25 * log(hr)^2)
ev80 <- schoenfeld(0.70, 0.05, 0.80)
ev90 <- schoenfeld(0.70, 0.05, 0.90)
out$sample_sizes <- list(
  power_prop_test = list(
    call = "power.prop.test(p1 = 0.25, p2 = 0.42, sig.level = 0.05, power = 0.80)",
    n_per_group = pp$n,
    n_per_group_ceiling = ceiling(pp$n)),
  schoenfeld_events = list(
    formula = "d = (qnorm(1 - alpha/2) + qnorm(power))^2 / (0.25 * log(HR)^2), 1:1 allocation",
    hr = 0.70, alpha_two_sided = 0.05,
    power_0.80 = list(events = ev80, events_ceiling = ceiling(ev80)),
    power_0.90 = list(events = ev90, events_ceiling = ceiling(ev90))),
  gsDesign_nEvents = "gsDesign not installed and not available as a Debian package"
)
if (have_rpact) {
  rp <- function(beta) rpact::getSampleSizeSurvival(alpha = 0.025, beta = beta, sided = 1,
                                                     hazardRatio = 0.7, allocationRatioPlanned = 1)
  out$sample_sizes$rpact_getSampleSizeSurvival <- list(
    call = paste("rpact::getSampleSizeSurvival(alpha = 0.025, beta = 0.2 / 0.1, sided = 1,",
                 "hazardRatio = 0.7, allocationRatioPlanned = 1)$maxNumberOfEvents",
                 "(fixed design, Schoenfeld)"),
    events_power_0.80 = rp(0.2)$maxNumberOfEvents,
    events_power_0.90 = rp(0.1)$maxNumberOfEvents)
}

# ---------------------------------------------------------------- write
write_json(prep(out), out_file, digits = NA, auto_unbox = TRUE, pretty = TRUE,
           json_verbatim = TRUE)
# read back and check a few numbers round-trip exactly
back <- fromJSON(out_file, simplifyVector = FALSE)
stopifnot(identical(back$cox_unstratified$hr, out$cox_unstratified$hr),
          identical(back$orr_difference$lower, out$orr_difference$lower),
          identical(back$cmh_correct$p, out$cmh_correct$p))
cat("wrote", out_file, "\n")
