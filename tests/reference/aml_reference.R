# Reference values for tests/test_survival.py, from R's survival package on its aml data.
# Run: Rscript tests/reference/aml_reference.R > tests/reference/aml_reference.txt
library(survival)
cat("R", R.version$major, R.version$minor, "survival", as.character(packageVersion("survival")), "\n")
options(digits = 10)
for (ct in c("log-log", "log", "plain")) {
  fit <- survfit(Surv(time, status) ~ x, data = aml, conf.type = ct)
  s <- summary(fit, censored = TRUE)
  cat("\n## conf.type", ct, "\n")
  print(data.frame(strata = s$strata, time = s$time, n.risk = s$n.risk, n.event = s$n.event,
                   surv = round(s$surv, 10), lower = round(s$lower, 10), upper = round(s$upper, 10)))
  cat("\nmedian table\n")
  print(summary(fit)$table[, c("records", "events", "median", "0.95LCL", "0.95UCL")])
  cat("\nsummary at times 0, 10, 20, 30, 40, 48\n")
  st <- summary(fit, times = c(0, 10, 20, 30, 40, 48))
  print(data.frame(strata = st$strata, time = st$time, n.risk = st$n.risk, surv = round(st$surv, 10),
                   lower = round(st$lower, 10), upper = round(st$upper, 10)))
}
cat("\n## pooled, log-log\n")
fit <- survfit(Surv(time, status) ~ 1, data = aml, conf.type = "log-log")
print(summary(fit)$table[c("records", "events", "median", "0.95LCL", "0.95UCL")])
cat("\n## survdiff\n")
sd <- survdiff(Surv(time, status) ~ x, data = aml)
cat("chisq", sd$chisq, "p", 1 - pchisq(sd$chisq, 1), "\n")
cat("\n## coxph (Efron)\n")
cx <- coxph(Surv(time, status) ~ x, data = aml)
print(summary(cx)$conf.int)
cat("\n## reverse KM median follow-up (pooled)\n")
rk <- survfit(Surv(time, 1 - status) ~ 1, data = aml, conf.type = "log-log")
print(summary(rk)$table[c("median", "0.95LCL", "0.95UCL")])
cat("\n## flat stretch at exactly 0.5: times 1,2,3,4 events, 5+,6 ...\n")
d <- data.frame(time = c(1, 2, 3, 4, 5, 6), status = c(1, 1, 1, 1, 1, 1))
print(summary(survfit(Surv(time, status) ~ 1, data = d))$table[c("median", "0.95LCL", "0.95UCL")])
d2 <- data.frame(time = c(2, 4, 6, 8), status = c(1, 1, 1, 1))
print(summary(survfit(Surv(time, status) ~ 1, data = d2, conf.type = "log"))$table[c("median", "0.95LCL", "0.95UCL")])
cat("\n## plateau conventions: print median (summary table) and quantile(probs = c(.5, .75))\n")
for (d in list(list(c(1,2,3,3.5,5,6), c(1,1,1,0,1,1)), list(c(1,2,3,4), c(1,1,0,0)),
               list(c(2,2,3,5,7,9), c(1,1,1,0,1,0)), list(1:6, rep(1,6)), list(1:5, c(1,0,0,0,0)))) {
  f <- survfit(Surv(d[[1]], d[[2]]) ~ 1, conf.type = "log-log")
  cat("time", d[[1]], "| status", d[[2]], "| median", summary(f)$table["median"],
      "| quantile", quantile(f, probs = c(.5, .75))$quantile, "\n")
}
