# Reference values for issue 19 (subgroup / forest-plot analysis), computed by R
# independently of the project's Python code.
#
# Input : tests/reference/issue19_data.csv  (USUBJID, ARM, STRAT1, STRAT2, AVAL, EVENT, RESP)
#         ARM "Control" is the reference arm; AVAL = days (integer, with tied event times);
#         EVENT 1 = event / 0 = censored.
# Output: tests/reference/issue19_forest.json (written next to this script)
#
# What it computes, for each subgroup variable V in (STRAT1, STRAT2):
#   levels[L]            for each level L of V, within the subset V == L:
#                        coxph(Surv(AVAL, EVENT) ~ ARM, ties = "efron"), ARM reference "Control":
#                        coef, SE, HR = exp(coef), 95% CI = exp(confint) (Wald), Wald z and p,
#                        n and events per arm (plus any R warnings raised by the fit)
#   interaction_lr       likelihood-ratio test of the treatment-by-subgroup interaction:
#                        fit0 = coxph(Surv(AVAL, EVENT) ~ ARM + V), fit1 = ~ ARM * V (both Efron,
#                        full data); chisq = 2 * (loglik(fit1) - loglik(fit0)), df = difference in
#                        number of coefficients, p = pchisq(chisq, df, lower.tail = FALSE).
#                        Cross-checked against anova(fit0, fit1) (stopifnot below).
#   interaction_wald_p   Wald p of the interaction coefficient (ARMExperimental:V<level 2>)
#                        from summary(fit1); its coef / SE / z are stored alongside.
# The subgroup variable's first level (alphabetical: "ECOG 0", "Asia") is its reference level.
#
# How to run (from anywhere):
#   Rscript tests/reference/issue19_forest.R [path/to/issue19_data.csv [path/to/output.json]]
# Needs R with survival and jsonlite (Debian: r-cran-survival, r-cran-jsonlite).
#
# JSON conventions:
#   * every number is written as the shortest of %.15g / %.16g / %.17g that reads back as the
#     identical double and handed to jsonlite as verbatim JSON (json_verbatim = TRUE), i.e. full
#     double precision (jsonlite's own digits = NA stops at 15 significant digits);
#   * NA / NaN -> null, +Inf / -Inf -> the strings "Inf" / "-Inf".

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

# ---------------------------------------------------------------- paths
cmd_args <- commandArgs(trailingOnly = TRUE)
all_args <- commandArgs(trailingOnly = FALSE)
script_file <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(script_file) == 1) dirname(normalizePath(script_file)) else
  file.path("tests", "reference")
csv_file <- if (length(cmd_args) >= 1) cmd_args[1] else file.path(script_dir, "issue19_data.csv")
out_file <- if (length(cmd_args) >= 2) cmd_args[2] else file.path(script_dir, "issue19_forest.json")

# ---------------------------------------------------------------- helpers
source(file.path(script_dir, "issue19_json.R"))  # num_json, prep, arr, named, with_warnings

# ---------------------------------------------------------------- data
d <- read.csv(csv_file, stringsAsFactors = FALSE)
d$ARM <- factor(d$ARM, levels = c("Control", "Experimental"))   # reference level first
stopifnot(!anyNA(d$ARM), all(d$EVENT %in% 0:1), !anyNA(d$AVAL))
arms <- levels(d$ARM)

# ---------------------------------------------------------------- one subgroup level
# Cox model ARM within the subset sub (Efron ties).
level_block <- function(sub) {
  r <- with_warnings(coxph(Surv(AVAL, EVENT) ~ ARM, data = sub, ties = "efron"))
  fit <- r$value
  s <- summary(fit)$coefficients
  ci <- exp(confint(fit))
  n_by_arm <- vapply(arms, function(a) sum(sub$ARM == a), 0)
  ev_by_arm <- vapply(arms, function(a) sum(sub$EVENT[sub$ARM == a]), 0)
  list(
    term = "ARMExperimental",
    coef = unname(coef(fit)[1]),
    se = unname(s[1, "se(coef)"]),
    hr = unname(exp(coef(fit))[1]),
    hr_lower_95 = unname(ci[1, 1]),
    hr_upper_95 = unname(ci[1, 2]),
    wald_z = unname(s[1, "z"]),
    wald_p = unname(s[1, "Pr(>|z|)"]),
    n = nrow(sub),
    events = sum(sub$EVENT),
    n_per_arm = as.list(n_by_arm),          # {"Control": .., "Experimental": ..}
    events_per_arm = as.list(ev_by_arm),
    warnings = I(r$warnings)
  )
}

# ---------------------------------------------------------------- one subgroup variable
subgroup_block <- function(v) {
  dd <- d
  dd[[v]] <- factor(dd[[v]])                           # alphabetical levels; first = reference
  lev <- levels(dd[[v]])
  levels_out <- lapply(lev, function(L) level_block(dd[dd[[v]] == L, , drop = FALSE]))
  names(levels_out) <- lev

  # Interaction: ARM + V vs ARM * V, full data, Efron ties.
  f0 <- as.formula(paste("Surv(AVAL, EVENT) ~ ARM +", v))
  f1 <- as.formula(paste("Surv(AVAL, EVENT) ~ ARM *", v))
  r0 <- with_warnings(coxph(f0, data = dd, ties = "efron"))
  r1 <- with_warnings(coxph(f1, data = dd, ties = "efron"))
  fit0 <- r0$value
  fit1 <- r1$value
  ll0 <- fit0$loglik[2]
  ll1 <- fit1$loglik[2]
  chisq <- 2 * (ll1 - ll0)
  df <- length(coef(fit1)) - length(coef(fit0))
  p <- pchisq(chisq, df, lower.tail = FALSE)
  # cross-check with anova()
  a <- anova(fit0, fit1)
  stopifnot(isTRUE(all.equal(unname(a[2, "Chisq"]), chisq)),
            unname(a[2, "Df"]) == df,
            isTRUE(all.equal(unname(a[2, "Pr(>|Chi|)"]), p)))

  s1 <- summary(fit1)$coefficients
  iterm <- grep(":", rownames(s1), value = TRUE)
  stopifnot(length(iterm) == 1)
  list(
    variable = v,
    reference_level = lev[1],
    levels = levels_out,
    interaction_lr = list(
      chisq = chisq, df = df, p = p,
      loglik_main = ll0, loglik_interaction = ll1,
      formula_main = paste(deparse(f0), collapse = ""),
      formula_interaction = paste(deparse(f1), collapse = ""),
      ties = "efron"
    ),
    interaction_wald_p = unname(s1[iterm, "Pr(>|z|)"]),
    interaction_term = iterm,
    interaction_coef = unname(s1[iterm, "coef"]),
    interaction_se = unname(s1[iterm, "se(coef)"]),
    interaction_wald_z = unname(s1[iterm, "z"]),
    warnings = I(c(r0$warnings, r1$warnings))
  )
}

# ---------------------------------------------------------------- assemble and write
out <- list(
  R_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  script = "tests/reference/issue19_forest.R",
  data = "tests/reference/issue19_data.csv",
  n_subjects = nrow(d),
  n_events = sum(d$EVENT),
  STRAT1 = subgroup_block("STRAT1"),
  STRAT2 = subgroup_block("STRAT2")
)

write_json(prep(out), out_file, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE)
cat("wrote", out_file, "\n")
