# Reference values for issue 31 (statistics round 3), computed by R independently of the project's code.
#
# The script makes its own seeded cases and writes them with R's answers to
# tests/reference/issue31_reference.json (next to this script); the tests read the cases from there, run
# the app's functions on them and compare. Nothing here comes from the app.
#
#   km           400 small Kaplan-Meier data sets with many ties (plateaus at exactly 0.5 and band curves
#                that are not monotone): for conf.type "log-log", "log" and "plain",
#                summary(survfit)$table median / 0.95LCL / 0.95UCL (what print(fit) shows) and
#                quantile(fit, c(.25, .5, .75)) with its lower and upper limits.
#   cox          60 two-arm data sets (integer times with ties, two stratification factors, some rows
#                with a missing stratum): coxph(Surv(t, e) ~ arm) and coxph(... + strata(s1, s2)),
#                Efron ties (R's default): coef, se, HR, 95% CI, Wald p; survdiff with and without the
#                strata: chi-square, p. R's default na.action drops the rows with a missing stratum.
#   interaction  40 data sets with a subgroup g of 2-4 levels, some where a level has one arm only and
#                some with missing g: anova(coxph(~ arm + g), coxph(~ arm * g)): chi-square, df, p.
#   cmh          80 sets of 2 x 2 x K tables (small strata, |sum(O - E)| below 0.5 in some):
#                mantelhaen.test(correct = TRUE and FALSE): statistic, p, MH odds ratio and its CI; a
#                set with a stratum of one patient records R's error instead.
#
# How to run (from the project root):  Rscript tests/reference/issue31_reference.R
# Needs R with survival and jsonlite (Debian: r-base-core r-cran-survival r-cran-jsonlite).
# Made with R 4.2.2 Patched (2022-11-10 r83330), survival 3.5.3, jsonlite 1.8.4.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

all_args <- commandArgs(trailingOnly = FALSE)
script_file <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(script_file) == 1) dirname(normalizePath(script_file)) else file.path("tests", "reference")
out_file <- file.path(script_dir, "issue31_reference.json")

na_null <- function(x) { x <- unname(x); if (length(x) == 0) return(NULL); ifelse(is.finite(x), x, NA) }

out <- list(provenance = list(
  R_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  script = "tests/reference/issue31_reference.R",
  seed = 31))

# ------------------------------------------------------------------ Kaplan-Meier medians and quantiles
set.seed(31)
km <- list()
for (i in 1:400) {
  n <- sample(c(2, 4, 6, 8, 10, 12, 16, 20), 1)
  t <- sample(1:sample(c(5, 10, 30, 100), 1), n, replace = TRUE)
  e <- rbinom(n, 1, runif(1, 0.3, 1))
  if (sum(e) == 0) e[1] <- 1
  rec <- list(time = t, event = e)
  for (ct in c("log-log", "log", "plain")) {
    fit <- survfit(Surv(t, e) ~ 1, conf.type = ct)
    tab <- summary(fit)$table
    q <- quantile(fit, probs = c(.25, .5, .75))
    rec[[ct]] <- list(median = na_null(tab["median"]), lcl = na_null(tab["0.95LCL"]),
                      ucl = na_null(tab["0.95UCL"]), q = na_null(q$quantile), ql = na_null(q$lower),
                      qu = na_null(q$upper))
  }
  km[[i]] <- rec
}
out$km <- km

# ------------------------------------------------------------------ Cox and log-rank, with strata
two_arm <- function(n, miss) {
  arm <- sample(c("Control", "Experimental"), n, replace = TRUE)
  s1 <- sample(c("ECOG 0", "ECOG 1"), n, replace = TRUE)
  s2 <- sample(c("Visceral", "Non-visceral", "Bone only"), n, replace = TRUE)
  rate <- ifelse(arm == "Experimental", 0.7, 1) * ifelse(s1 == "ECOG 1", 1.5, 1)
  t <- pmax(1, round(rexp(n, rate / 100)))
  c <- round(runif(n, 30, 300))
  e <- as.integer(t <= c)
  t <- pmin(t, c)
  if (miss > 0) s1[sample(n, miss)] <- NA
  data.frame(t = t, e = e, arm = arm, s1 = s1, s2 = s2, stringsAsFactors = FALSE)
}
cox_out <- function(fit) {
  s <- summary(fit)
  list(coef = unname(coef(fit)), se = unname(sqrt(diag(fit$var))), hr = unname(s$conf.int[1, "exp(coef)"]),
       lower = unname(s$conf.int[1, "lower .95"]), upper = unname(s$conf.int[1, "upper .95"]),
       p = unname(s$coefficients[1, "Pr(>|z|)"]), n = fit$n, nevent = fit$nevent)
}
set.seed(3101)
cox <- list()
for (i in 1:60) {
  n <- sample(c(20, 40, 80, 150, 200), 1)
  miss <- if (i %% 3 == 0) sample(1:5, 1) else 0
  d <- two_arm(n, miss)
  d$arm <- factor(d$arm, levels = c("Control", "Experimental"))
  un <- coxph(Surv(t, e) ~ arm, data = d)
  st <- coxph(Surv(t, e) ~ arm + strata(s1, s2), data = d)
  lr <- survdiff(Surv(t, e) ~ arm, data = d)
  lrs <- survdiff(Surv(t, e) ~ arm + strata(s1, s2), data = d)
  cox[[i]] <- list(data = list(t = d$t, e = d$e, arm = as.character(d$arm), s1 = d$s1, s2 = d$s2),
                   unstratified = cox_out(un), stratified = cox_out(st),
                   logrank = list(chisq = unname(lr$chisq), p = pchisq(lr$chisq, 1, lower.tail = FALSE)),
                   logrank_stratified = list(chisq = unname(lrs$chisq),
                                             p = pchisq(lrs$chisq, 1, lower.tail = FALSE),
                                             n = sum(lrs$n)))
}
out$cox <- cox

# ------------------------------------------------------------------ arm x subgroup interaction
set.seed(3102)
inter <- list()
for (i in 1:40) {
  n <- sample(c(40, 80, 150), 1)
  d <- two_arm(n, 0)
  k <- sample(2:4, 1)
  d$g <- sample(LETTERS[1:k], n, replace = TRUE)
  if (i %% 4 == 1) d$arm[d$g == "A"] <- "Experimental"          # level A has one arm only
  if (i %% 4 == 2) d$g[sample(n, sample(2:6, 1))] <- NA         # missing subgroup values
  d$arm <- factor(d$arm, levels = c("Control", "Experimental"))
  f0 <- coxph(Surv(t, e) ~ arm + g, data = d)
  f1 <- coxph(Surv(t, e) ~ arm * g, data = d)
  a <- anova(f0, f1)
  inter[[i]] <- list(data = list(t = d$t, e = d$e, arm = as.character(d$arm), g = d$g),
                     chisq = unname(a$Chisq[2]), df = unname(a$Df[2]), p = unname(a$`Pr(>|Chi|)`[2]),
                     n_used = f1$n)
}
out$interaction <- inter

# ------------------------------------------------------------------ Cochran-Mantel-Haenszel
set.seed(3103)
cmh <- list()
for (i in 1:80) {
  K <- sample(2:5, 1)
  n <- sample(c(8, 12, 20, 40, 80), 1)
  arm <- sample(c("Experimental", "Control"), n, replace = TRUE)
  s <- sample(paste("S", 1:K), n, replace = TRUE)
  r <- rbinom(n, 1, ifelse(arm == "Experimental", 0.45, 0.3))
  if (i %% 10 == 0) {                                       # a stratum of one patient
    arm <- c(arm, "Control"); s <- c(s, "Lone"); r <- c(r, 1L)
  }
  tab <- table(factor(arm, levels = c("Experimental", "Control")), factor(r, levels = c(1, 0)), s)
  rec <- list(data = list(arm = arm, resp = r, stratum = s))
  for (correct in c(TRUE, FALSE)) {
    res <- tryCatch(mantelhaen.test(tab, correct = correct), error = function(err) conditionMessage(err))
    key <- if (correct) "correct" else "uncorrected"
    if (is.character(res)) {
      rec[[key]] <- list(error = res)
    } else {
      rec[[key]] <- list(statistic = unname(res$statistic), p = unname(res$p.value),
                         or = unname(res$estimate), lower = unname(res$conf.int[1]),
                         upper = unname(res$conf.int[2]))
    }
  }
  sx <- sum(tab[1, 1, ]); n_k <- apply(tab, 3, sum); m <- apply(tab, c(1, 3), sum)[1, ]
  n2 <- apply(tab, c(2, 3), sum)[1, ]
  rec$delta <- if (all(n_k > 0)) sx - sum(m * n2 / n_k) else NA
  cmh[[i]] <- rec
}
out$cmh <- cmh

writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, null = "null"), out_file)
cat("wrote", out_file, "\n")
