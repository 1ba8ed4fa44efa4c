# Reference values for issue 15, computed by R (independently of the project's Python code).
#
# What it computes, and for which tests:
#   prop_test        - protocol decision test for a single-arm response rate: prop.test(k, n, p0,
#                      correct = FALSE) chi-square and two-sided p, and the exact one-sided
#                      binom.test(k, n, p0, alternative = "greater") p, for every k
#                      (n = 31, p0 = 0.21 and n = 25, p0 = 0.3).
#   fisher_rxc       - Fisher-Freeman-Halton exact test p for r x c tables (fisher.test), and for
#                      2 x 2 tables the conditional MLE odds ratio and its exact 95% CI.
#   aalen_johansen   - Aalen-Johansen cumulative incidence for competing risks, from survival's
#                      multi-state survfit(Surv(time, factor(status)) ~ 1), cross-checked with
#                      cmprsk::cuminc / timepoints.
#   km_loglog        - Kaplan-Meier confidence intervals (log-log, log, plain) when the first rows
#                      are censorings (S(t) = 1), incl. summary(fit, times = ...) before the first
#                      event and after the last time.
#   coxph_no_events  - non-estimable hazard ratio: Cox model (Efron) where one group has no events,
#                      with the warning(s) R gives; plus the log-rank test (survdiff).
#   coxph_basic      - ordinary Cox model (Efron) and log-rank test with events in both groups.
#
# How to run (from the project root); writes tests/reference/issue15_reference.json:
#   Rscript tests/reference/issue15_reference.R
#
# Needs R with the packages survival, jsonlite and (optionally) cmprsk
# (Debian: apt-get install r-cran-jsonlite r-cran-cmprsk).
#
# JSON conventions:
#   * numbers are written with the shortest of %.15g / %.16g / %.17g that reads back as the
#     identical double (full double precision; jsonlite's digits = NA stops at 15 significant
#     digits, so a small writer is used below);
#   * R's NA / NaN are written as null;
#   * +Inf / -Inf are written as the strings "Inf" / "-Inf" (Python: float("Inf"));
#   * tables of rows are lists of records (one JSON object per row).

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
have_cmprsk <- requireNamespace("cmprsk", quietly = TRUE)

# ---------------------------------------------------------------- output location
args <- commandArgs(trailingOnly = FALSE)
script_file <- sub("^--file=", "", args[grep("^--file=", args)])
out_file <- if (length(script_file) == 1) {
  file.path(dirname(normalizePath(script_file)), "issue15_reference.json")
} else {
  file.path("tests", "reference", "issue15_reference.json")
}

# ---------------------------------------------------------------- tiny JSON writer
num_json <- function(x) {
  vapply(x, function(v) {
    if (is.na(v)) return("null")                     # NA and NaN
    if (is.infinite(v)) return(if (v > 0) "\"Inf\"" else "\"-Inf\"")
    for (d in 15:17) {
      s <- sprintf(paste0("%.", d, "g"), v)
      if (as.numeric(s) == v) break
    }
    s
  }, character(1))
}
to_json <- function(x, indent = 0) {
  pad <- strrep("  ", indent + 1)
  end <- strrep("  ", indent)
  if (is.null(x)) return("null")
  if (is.data.frame(x)) {
    rows <- lapply(seq_len(nrow(x)), function(i) as.list(x[i, , drop = FALSE]))
    return(to_json(rows, indent))
  }
  if (is.factor(x)) x <- as.character(x)
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    items <- vapply(x, to_json, character(1), indent = indent + 1)
    if (!is.null(names(x))) {
      keys <- vapply(names(x), function(k) as.character(toJSON(k, auto_unbox = TRUE)), character(1))
      return(paste0("{\n", paste0(pad, keys, ": ", items, collapse = ",\n"), "\n", end, "}"))
    }
    return(paste0("[\n", paste0(pad, items, collapse = ",\n"), "\n", end, "]"))
  }
  if (is.logical(x)) {
    v <- ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else if (is.numeric(x)) {
    v <- num_json(as.numeric(x))
  } else if (is.character(x)) {
    v <- vapply(x, function(s) if (is.na(s)) "null" else as.character(toJSON(s, auto_unbox = TRUE)),
                character(1))
  } else {
    stop("unsupported type: ", class(x)[1])
  }
  v <- unname(v)
  if (length(x) == 1 && is.null(attr(x, "keep_array"))) v else paste0("[", paste(v, collapse = ", "), "]")
}
arr <- function(x) { attr(x, "keep_array") <- TRUE; x }   # keep a length-1 vector as an array

# Evaluate expr, collecting (not raising) warnings.
with_warnings <- function(expr) {
  w <- character(0)
  value <- withCallingHandlers(expr, warning = function(cond) {
    w <<- c(w, conditionMessage(cond))
    invokeRestart("muffleWarning")
  })
  list(value = value, warnings = w)
}

out <- list()

out$provenance <- list(
  R_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  cmprsk_version = if (have_cmprsk) as.character(packageVersion("cmprsk")) else NA_character_,
  date = format(Sys.Date()),
  script = "tests/reference/issue15_reference.R",
  json_conventions = paste(
    "numbers at full double precision; NA/NaN -> null; +Inf/-Inf -> strings \"Inf\"/\"-Inf\";",
    "tables are lists of records")
)

# ================================================================ 1. prop_test
prop_block <- function(n, p0) {
  do.call(rbind, lapply(0:n, function(k) {
    pt <- with_warnings(prop.test(k, n, p = p0, correct = FALSE))
    data.frame(n = n, p0 = p0, k = k,
               chisq = unname(pt$value$statistic),
               p_two_sided = pt$value$p.value,
               exact_greater_p = binom.test(k, n, p0, alternative = "greater")$p.value,
               chisq_approx_warning = length(pt$warnings) > 0)
  }))
}
out$prop_test <- list(
  description = paste(
    "prop.test(k, n, p = p0, correct = FALSE): chisq = statistic (X-squared, 1 df),",
    "p_two_sided = p.value; exact_greater_p = binom.test(k, n, p0, alternative = 'greater')$p.value;",
    "chisq_approx_warning = R warned 'Chi-squared approximation may be incorrect' (n*p0 or n*(1-p0) < 5",
    "for the expected counts)."),
  records = rbind(prop_block(31, 0.21), prop_block(25, 0.3))
)

# ================================================================ 2. fisher_rxc
fisher_tables <- list(
  list(rows = list(c(3, 1), c(2, 4), c(0, 5))),
  list(rows = list(c(5, 2, 1), c(1, 3, 6))),
  list(rows = list(c(2, 0), c(0, 2), c(3, 3), c(1, 4))),
  list(rows = list(c(4, 1, 0, 2), c(2, 2, 3, 0))),
  list(rows = list(c(7, 3), c(2, 8))),
  list(rows = list(c(6, 0), c(3, 5)))
)
out$fisher_rxc <- list(
  description = paste(
    "tab <- matrix(unlist(rows), nrow = length(rows), byrow = TRUE) (each element of rows is a matrix",
    "row); p_value = fisher.test(tab)$p.value (two-sided, Fisher-Freeman-Halton for r x c);",
    "p_value_transposed = fisher.test(t(tab))$p.value (must be equal). For 2 x 2 tables:",
    "odds_ratio = fisher.test(tab)$estimate (conditional MLE, = (tab[1,1]*tab[2,2])/(tab[1,2]*tab[2,1])",
    "orientation), conf_int = $conf.int (95%, exact conditional); p_greater / p_less are the one-sided",
    "alternatives."),
  tables = lapply(fisher_tables, function(ft) {
    tab <- matrix(unlist(ft$rows), nrow = length(ft$rows), byrow = TRUE)
    f <- fisher.test(tab)
    rec <- list(rows = lapply(ft$rows, arr), nrow = nrow(tab), ncol = ncol(tab),
                p_value = f$p.value,
                p_value_transposed = fisher.test(t(tab))$p.value)
    if (all(dim(tab) == 2)) {
      rec$odds_ratio <- unname(f$estimate)
      rec$conf_int <- arr(as.numeric(f$conf.int))
      rec$conf_level <- attr(f$conf.int, "conf.level")
      rec$p_greater <- fisher.test(tab, alternative = "greater")$p.value
      rec$p_less <- fisher.test(tab, alternative = "less")$p.value
    }
    rec
  })
)

# ================================================================ 3. aalen_johansen
# 20 subjects. Ties: t = 3 (type 1 + type 2), t = 5 (two type 1 + one censoring),
# t = 8 (two type 1), t = 10 (type 1 + type 2 + censoring), t = 12 (type 2 + censoring).
aj_time   <- c(1, 2, 3, 3, 4, 5, 5, 5, 6, 7, 8, 8, 9, 10, 10, 10, 12, 12, 14, 15)
aj_status <- c(1, 0, 1, 2, 2, 1, 0, 1, 0, 2, 1, 1, 0, 1, 2, 0, 2, 0, 1, 0)
aj_fit <- survfit(Surv(aj_time, factor(aj_status, levels = 0:2)) ~ 1)
ps <- aj_fit$pstate
colnames(ps) <- aj_fit$states
aj_table <- data.frame(
  time = aj_fit$time,
  n_risk = aj_fit$n.risk[, 1],
  n_event_1 = aj_fit$n.event[, which(aj_fit$states == "1")],
  n_event_2 = aj_fit$n.event[, which(aj_fit$states == "2")],
  n_censor = aj_fit$n.censor,
  cif_1 = ps[, "1"],
  cif_2 = ps[, "2"],
  event_free = ps[, "(s0)"],
  se_cif_1 = aj_fit$std.err[, which(aj_fit$states == "1")],
  se_cif_2 = aj_fit$std.err[, which(aj_fit$states == "2")]
)
aj <- list(
  description = paste(
    "fit <- survfit(Surv(time, factor(status, levels = 0:2)) ~ 1) (Aalen-Johansen); one row per",
    "distinct time (fit$time): n_risk = fit$n.risk[, 1] (at risk just before t), n_event_1/2 = events",
    "of each type at t, n_censor, cif_1 = pstate[, '1'], cif_2 = pstate[, '2'], event_free =",
    "pstate[, '(s0)'] (= 1 - cif_1 - cif_2), se_cif_1/2 = fit$std.err (infinitesimal jackknife).",
    "status 0 = censored, 1 = event of interest, 2 = competing event."),
  data = list(time = aj_time, status = aj_status),
  states = aj_fit$states,
  table = aj_table
)
if (have_cmprsk) {
  ci <- cmprsk::cuminc(aj_time, aj_status, cencode = 0)
  tp <- cmprsk::timepoints(ci, aj_fit$time)
  cm <- data.frame(time = aj_fit$time,
                   cif_1 = as.numeric(tp$est["1 1", ]),
                   cif_2 = as.numeric(tp$est["1 2", ]),
                   var_cif_1 = as.numeric(tp$var["1 1", ]),
                   var_cif_2 = as.numeric(tp$var["1 2", ]))
  aj$cmprsk <- list(
    description = paste(
      "ci <- cmprsk::cuminc(time, status, cencode = 0); tp <- timepoints(ci, distinct times);",
      "cif_1 = tp$est['1 1', ], cif_2 = tp$est['1 2', ], var_* = tp$var (cmprsk's Gray variance,",
      "differs from survfit's std.err^2)."),
    table = cm,
    max_abs_diff_cif_1_vs_survfit = max(abs(cm$cif_1 - aj_table$cif_1)),
    max_abs_diff_cif_2_vs_survfit = max(abs(cm$cif_2 - aj_table$cif_2))
  )
}
out$aalen_johansen <- aj

# ================================================================ 4. km_loglog
km_time   <- c(2, 3, 5, 5, 7, 8, 10, 12, 15, 18)
km_status <- c(0, 0, 1, 0, 1, 1, 0, 1, 0, 1)
km_times_query <- c(0, 1, 2, 4, 6, 11, 20)
km_block <- function(ct) {
  fit <- survfit(Surv(km_time, km_status) ~ 1, conf.type = ct)
  s <- summary(fit, censored = TRUE)
  full <- data.frame(time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
                     surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper)
  st <- summary(fit, times = km_times_query)
  at <- data.frame(time = st$time, n_risk = st$n.risk, surv = st$surv, std_err = st$std.err,
                   lower = st$lower, upper = st$upper)
  ste <- summary(fit, times = km_times_query, extend = TRUE)
  at_ext <- data.frame(time = ste$time, n_risk = ste$n.risk, surv = ste$surv, std_err = ste$std.err,
                       lower = ste$lower, upper = ste$upper)
  tab <- summary(fit)$table
  list(
    conf_type = ct,
    table = full,
    at_times = at,
    at_times_extend = at_ext,
    times_dropped_without_extend = arr(setdiff(km_times_query, st$time)),
    median = unname(tab["median"]),
    median_lower = unname(tab["0.95LCL"]),
    median_upper = unname(tab["0.95UCL"])
  )
}
out$km_loglog <- list(
  description = paste(
    "fit <- survfit(Surv(time, status) ~ 1, conf.type = ct); table = summary(fit, censored = TRUE)",
    "(all rows, incl. censoring-only times); std_err is summary()'s std.err (standard error of S(t));",
    "at_times = summary(fit, times = times_query) (R drops requested times beyond the last",
    "observation unless extend = TRUE: see times_dropped_without_extend); at_times_extend =",
    "summary(fit, times = times_query, extend = TRUE); median and its 95% CI from summary(fit)$table.",
    "NA (R) -> null."),
  notes = paste(
    "With conf.type = 'log-log', rows where S(t) = 1 after a censoring (t = 2, 3) have std_err 0 and",
    "lower/upper NA (null), and so do summary(times =) rows at t = 2 and 4; but requested times before",
    "the first observed time (t = 0, 1) get lower = upper = 1. With 'log' and 'plain', S = 1 rows get",
    "lower = upper = 1. At S = 0 (t = 18) std_err, lower and upper are NA for every conf.type.",
    "'log' truncates upper at 1, 'plain' truncates lower at 0 and upper at 1. The requested time 20",
    "(after the last observation, 18) is dropped by summary() unless extend = TRUE, which gives",
    "n_risk 0, surv 0 and NA limits. The upper limit of the median is NA for every conf.type."),
  data = list(time = km_time, status = km_status),
  times_query = km_times_query,
  fits = list(`log-log` = km_block("log-log"), log = km_block("log"), plain = km_block("plain"))
)

# ================================================================ Cox helpers
cox_record <- function(time, status, group, ref) {
  g <- relevel(factor(group), ref = ref)
  res <- with_warnings(coxph(Surv(time, status) ~ g, ties = "efron"))
  fit <- res$value
  sm <- summary(fit)
  co <- sm$coefficients
  sd <- survdiff(Surv(time, status) ~ g)
  list(
    reference_level = ref,
    coefficient_for = paste0("group", setdiff(levels(g), ref)),
    coef = unname(co[1, "coef"]),
    exp_coef = unname(co[1, "exp(coef)"]),
    se_coef = unname(co[1, "se(coef)"]),
    z = unname(co[1, "z"]),
    wald_p = unname(co[1, "Pr(>|z|)"]),
    exp_coef_lower95 = unname(sm$conf.int[1, "lower .95"]),
    exp_coef_upper95 = unname(sm$conf.int[1, "upper .95"]),
    # taken from the fit itself: summary(fit)$waldtest rounds the statistic to 2 decimals
    lr_test = list(chisq = 2 * diff(fit$loglik), df = 1,
                   p = pchisq(2 * diff(fit$loglik), 1, lower.tail = FALSE)),
    wald_test = list(chisq = unname(fit$wald.test), df = 1,
                     p = pchisq(unname(fit$wald.test), 1, lower.tail = FALSE)),
    score_test = list(chisq = unname(fit$score), df = 1,
                      p = pchisq(unname(fit$score), 1, lower.tail = FALSE)),
    iterations = fit$iter,
    warnings = arr(res$warnings),
    survdiff = list(
      chisq = sd$chisq,
      df = length(sd$n) - 1,
      p = pchisq(sd$chisq, df = length(sd$n) - 1, lower.tail = FALSE),
      observed = setNames(as.list(sd$obs), levels(g)),
      expected = setNames(as.list(sd$exp), levels(g))
    )
  )
}
cox_description <- paste(
  "fit <- coxph(Surv(time, status) ~ group, ties = 'efron') with group a factor whose reference",
  "level is reference_level (coef is for the other level); exp_coef_lower95/upper95 from",
  "summary(fit)$conf.int; wald_p = summary(fit)$coefficients[, 'Pr(>|z|)']; lr/wald/score tests",
  "from fit$loglik, fit$wald.test, fit$score (unrounded); warnings = R's",
  "warning messages from coxph (captured with withCallingHandlers); survdiff = log-rank",
  "survdiff(Surv(time, status) ~ group): chisq, df, p = pchisq(chisq, df, lower.tail = FALSE),",
  "observed/expected events per group.")

# ================================================================ 5. coxph_no_events
ne_time   <- c(3, 5, 7, 9, 11, 4, 6, 8, 10, 12)
ne_status <- c(1, 1, 0, 1, 1, 0, 0, 0, 0, 0)
ne_group  <- c(rep("A", 5), rep("B", 5))
out$coxph_no_events <- list(
  description = cox_description,
  notes = paste(
    "Group B has no events, so the partial likelihood is monotone and the MLE is -Inf (reference A).",
    "coxph stops at its iteration limit: coef, exp_coef, se_coef, z and wald_p are artefacts of where",
    "the iterations stopped (|coef| about 21, exp_coef about 6e-10 or 1.6e9, se about 2e4, wald_p",
    "about 0.999, CI 0 to Inf) and should not be matched exactly; the LR test, score test and",
    "log-rank test are well defined. survival 3.5-3 warns 'Ran out of iterations and did not",
    "converge' here (not the 'Loglik converged before variable ...; coefficient may be infinite'",
    "message that other data/versions give)."),
  data = list(time = ne_time, status = ne_status, group = ne_group),
  fits = list(reference_A = cox_record(ne_time, ne_status, ne_group, "A"),
              reference_B = cox_record(ne_time, ne_status, ne_group, "B"))
)

# ================================================================ 6. coxph_basic
# 16 subjects; ties across groups at t = 3 and t = 6, within group A at t = 3.
cb_time   <- c(2, 3, 3, 5, 6, 8, 9, 12,   3, 4, 6, 7, 10, 11, 14, 16)
cb_status <- c(1, 1, 1, 0, 1, 1, 0, 1,    1, 0, 1, 1, 0, 1, 1, 0)
cb_group  <- c(rep("A", 8), rep("B", 8))
out$coxph_basic <- list(
  description = cox_description,
  data = list(time = cb_time, status = cb_status, group = cb_group),
  fits = list(reference_A = cox_record(cb_time, cb_status, cb_group, "A"),
              reference_B = cox_record(cb_time, cb_status, cb_group, "B"))
)

# ---------------------------------------------------------------- write
txt <- to_json(out)
invisible(fromJSON(txt))   # must parse
writeLines(txt, out_file)
cat("wrote", out_file, "\n")
