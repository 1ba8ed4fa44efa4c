# Reference numbers for three PUBLIC ADaM data sets from other producers, computed by R from the ORIGINAL
# source files (not from the converted copies under tests/data/public/, and not with the project's code).
# Writes tests/reference/public_adam_reference.json (next to this script).
#
# Sources (fetch them, then point this script at the three folders):
#
#   cdiscpilot       https://github.com/cdisc-org/sdtm-adam-pilot-project
#                    commit 47dc078642e537728b65a159c385de2b696bbfa0
#                    updated-pilot-submission-package/900172/m5/datasets/cdiscpilot01/analysis/adam/datasets/
#                      adsl.xpt adae.xpt adtte.xpt                               (SAS XPORT v5)
#   pharmaverseadam  https://github.com/pharmaverse/pharmaverseadam
#                    commit 2c7db61be1bdce4e34bf31d0d8c8cdb343f6b60b (package version 1.3.0.9004)
#                    data/adsl.rda data/adae.rda data/adrs_onco.rda data/adtte_onco.rda data/adtr_onco.rda
#   tealsample       https://github.com/insightsengineering/random.cdisc.data
#                    commit 52ce749b162e5c43c495cff85aae2fca2ec7c6e1 (package version 0.3.16.9006)
#                    data/cadsl.RData data/cadae.RData data/cadrs.RData data/cadtte.RData data/cadtr.RData
#
#   e.g.  git clone https://github.com/cdisc-org/sdtm-adam-pilot-project /tmp/p && git -C /tmp/p checkout 47dc078
#         mkdir -p /tmp/src/cdiscpilot && cp /tmp/p/updated-pilot-submission-package/900172/m5/datasets/\
#           cdiscpilot01/analysis/adam/datasets/{adsl,adae,adtte}.xpt /tmp/src/cdiscpilot/
#         (likewise /tmp/src/pharmaverseadam/ with the five .rda, /tmp/src/tealsample/ with the five .RData)
#   The md5 of every file read is checked against the values below and recorded in the JSON.
#
# How to run (from the project root):
#   Rscript tests/reference/public_adam_reference.R <cdiscpilot dir> <pharmaverseadam dir> <tealsample dir>
#   or  PUBLIC_ADAM_SRC=/tmp/src Rscript tests/reference/public_adam_reference.R
#       (PUBLIC_ADAM_SRC holds the sub-folders cdiscpilot/, pharmaverseadam/, tealsample/)
# Needs R with survival and jsonlite; XPORT is read with haven::read_xpt when haven is installed, else
# foreign::read.xport (the numbers computed here do not use dates, so both give the same answers).
# Made with R 4.2.2 Patched, survival 3.5.3, jsonlite 1.8.4, haven (see the JSON's provenance).
#
# What is computed, per data set (every rule is also written into the JSON next to its numbers):
#   adsl      rows; counts by planned arm (TRT01P, else ARM) and by actual arm (TRT01A, else ACTARM);
#             ITTFL == "Y" by planned arm; SAFFL == "Y" by actual arm; DTHFL == "Y" per arm and overall
#             (null when DTHFL is absent); EOSSTT / EOTSTT / DCDECOD / DCSREAS / DCREASCD / DISCONFL value
#             counts per planned arm (null when the column is absent; "(missing)" = NA or blank).
#   adae      TRTEMFL == "Y" rows when TRTEMFL exists, else all rows. Arm = ADSL's actual arm, matched by
#             USUBJID. Patients (unique USUBJID) per arm with: any AE; grade >= 3 (AETOXGR as a number,
#             else ATOXGR; null when neither: AESEV == "SEVERE" is given separately); a fatal AE
#             (AESDTH == "Y" or AEOUT == "FATAL" or grade 5); a serious AE (AESER == "Y").
#   adrs      every PARAMCD with its PARAM; for each best-overall-response-like PARAMCD (PARAM says "best"
#             and "response" and AVALC holds RECIST categories, or PARAMCD is BOR / CBOR / BESRSPI):
#             AVALC counts per planned arm (ADSL's, by USUBJID), ORR = patients with CR or PR / patients
#             with a row of that PARAMCD, per arm; also over the ITT/ADSL population. With and without
#             ANL01FL == "Y" when ANL01FL exists. Other one-row-per-patient PARAMCDs: AVALC counts only.
#   adtte     every PARAMCD: per planned arm n, events (CNSR == 0), Kaplan-Meier median and 95% CI from
#             summary(survfit(Surv(AVAL, CNSR == 0) ~ arm))$table (conf.type "log", R's default, what
#             print(fit) shows); coxph(ties = "efron") HR of each arm vs the reference arm with 95% CI and
#             (cox_pairwise) the same fitted on the two arms alone, as the dashboard and tern fit it;
#             Wald p; survdiff log-rank chi-square and p across all arms and each arm vs the reference.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

all_args <- commandArgs(trailingOnly = FALSE)
script_file <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(script_file) == 1) dirname(normalizePath(script_file)) else file.path("tests", "reference")
out_file <- file.path(script_dir, "public_adam_reference.json")

args <- commandArgs(trailingOnly = TRUE)
root <- Sys.getenv("PUBLIC_ADAM_SRC", "")
if (length(args) >= 3) {
  dirs <- args[1:3]
} else if (nzchar(root)) {
  dirs <- file.path(root, c("cdiscpilot", "pharmaverseadam", "tealsample"))
} else {
  stop("usage: Rscript public_adam_reference.R <cdiscpilot dir> <pharmaverseadam dir> <tealsample dir> ",
       "(or set PUBLIC_ADAM_SRC); see the top of this script for where the files come from")
}

has_haven <- requireNamespace("haven", quietly = TRUE)

SETS <- list(
  cdiscpilot = list(
    dir = dirs[1], repo = "https://github.com/cdisc-org/sdtm-adam-pilot-project",
    commit = "47dc078642e537728b65a159c385de2b696bbfa0",
    path = "updated-pilot-submission-package/900172/m5/datasets/cdiscpilot01/analysis/adam/datasets/",
    files = c(adsl = "adsl.xpt", adae = "adae.xpt", adtte = "adtte.xpt"),
    md5 = c(adsl = "b9a2877766732e20429731403d0c30c9", adae = "69ffd5a1ea4864b509da08f32f3ecbad",
            adtte = "88adf7e0fa618d2528b5889e807c579a"),
    reference_arm = "Placebo",
    reference_rule = "given: \"Placebo\""),
  pharmaverseadam = list(
    dir = dirs[2], repo = "https://github.com/pharmaverse/pharmaverseadam",
    commit = "2c7db61be1bdce4e34bf31d0d8c8cdb343f6b60b", path = "data/",
    files = c(adsl = "adsl.rda", adae = "adae.rda", adrs = "adrs_onco.rda", adtte = "adtte_onco.rda",
              adtr = "adtr_onco.rda"),
    md5 = c(adsl = "1253152f4f9d0cc817eecd1d039a7a73", adae = "6c60657a0019ea8281c1f82389122484",
            adrs = "46e2e14e705aa542fef93336dad12fc5", adtte = "dfa94872d651722cb0de68bf58eeb1d9",
            adtr = "63809d3cdbcd01f995d3c906f9de2160"),
    reference_arm = NULL,
    reference_rule = "the planned arm whose name contains 'placebo' (case-insensitive), else the first alphabetically"),
  tealsample = list(
    dir = dirs[3], repo = "https://github.com/insightsengineering/random.cdisc.data",
    commit = "52ce749b162e5c43c495cff85aae2fca2ec7c6e1", path = "data/",
    files = c(adsl = "cadsl.RData", adae = "cadae.RData", adrs = "cadrs.RData", adtte = "cadtte.RData",
              adtr = "cadtr.RData"),
    md5 = c(adsl = "e3af3d668cebda0ae7b0307d5a578465", adae = "1321c537596704e3a2dd5e515d702afd",
            adrs = "9e3278f6bdb4a698ac2ba167cd37ae1a", adtte = "8e0bb386aee373a10bcfbe287677c97d",
            adtr = "3b3ae3aaac224c0ffa9a40eedce651b9"),
    reference_arm = "B: Placebo",
    reference_rule = "given: \"B: Placebo\"")
)

# ------------------------------------------------------------------ helpers
read_table <- function(file) {
  if (grepl("\\.xpt$", file, ignore.case = TRUE)) {
    d <- if (has_haven) haven::read_xpt(file) else foreign::read.xport(file)
    d <- as.data.frame(d, stringsAsFactors = FALSE)
  } else {
    e <- new.env()
    nm <- load(file, envir = e)
    if (length(nm) != 1) stop(file, " holds ", length(nm), " objects")
    d <- as.data.frame(e[[nm]], stringsAsFactors = FALSE)
  }
  for (v in names(d)) {
    if (is.factor(d[[v]])) d[[v]] <- as.character(d[[v]])
    if (has_haven && inherits(d[[v]], "haven_labelled")) d[[v]] <- as.vector(d[[v]])
  }
  d
}

chr <- function(x) { x <- as.character(x); x[is.na(x)] <- ""; trimws(x) }
is_y <- function(x) chr(x) == "Y"
miss_label <- function(x) { x <- chr(x); x[x == ""] <- "(missing)"; x }
na_null <- function(x) { x <- unname(x); if (length(x) == 0) return(NULL); ifelse(is.finite(x), x, NA) }

counts <- function(x, levels = NULL) {
  x <- miss_label(x)
  lv <- if (is.null(levels)) sort(unique(x)) else levels
  as.list(sapply(lv, function(l) sum(x == l), simplify = TRUE, USE.NAMES = TRUE))
}

by_arm_counts <- function(arm, value, arms) {
  value <- miss_label(value)
  lv <- sort(unique(value))
  out <- lapply(arms, function(a) counts(value[arm == a], lv))
  names(out) <- arms
  out[["(all)"]] <- counts(value, lv)
  out
}

n_unique_by_arm <- function(arm, id, keep, arms) {
  out <- lapply(arms, function(a) length(unique(id[keep & arm == a])))
  names(out) <- arms
  out[["(all)"]] <- length(unique(id[keep]))
  out
}

first_col <- function(d, cands) { hit <- intersect(cands, names(d)); if (length(hit)) hit[1] else NULL }

# ------------------------------------------------------------------ per data set
one_set <- function(name, s) {
  tabs <- list()
  src <- list()
  for (t in names(s$files)) {
    f <- file.path(s$dir, s$files[[t]])
    if (!file.exists(f)) stop("missing source file: ", f)
    md5 <- unname(tools::md5sum(f))
    tabs[[t]] <- read_table(f)
    src[[t]] <- list(file = paste0(s$path, s$files[[t]]), md5 = md5, md5_expected = unname(s$md5[[t]]),
                     md5_matches = identical(md5, unname(s$md5[[t]])),
                     rows = nrow(tabs[[t]]), columns = ncol(tabs[[t]]))
  }
  adsl <- tabs$adsl
  pcol <- first_col(adsl, c("TRT01P", "ARM"))
  acol <- first_col(adsl, c("TRT01A", "ACTARM"))
  parm <- chr(adsl[[pcol]])
  aarm <- chr(adsl[[acol]])
  p_arms <- sort(unique(parm))
  a_arms <- sort(unique(aarm))
  ref <- s$reference_arm
  if (is.null(ref)) {
    pl <- p_arms[grepl("placebo", p_arms, ignore.case = TRUE)]
    ref <- if (length(pl)) pl[1] else p_arms[1]
  }

  out <- list(source = list(repo = s$repo, commit = s$commit, files = src),
              reference_arm = ref, reference_arm_rule = s$reference_rule)

  # --- ADSL
  itt <- if ("ITTFL" %in% names(adsl)) is_y(adsl$ITTFL) else rep(TRUE, nrow(adsl))
  disc <- list()
  for (v in c("EOSSTT", "EOTSTT", "DCDECOD", "DCSREAS", "DCREASCD", "DISCONFL")) {
    disc[[v]] <- if (v %in% names(adsl)) by_arm_counts(parm, adsl[[v]], p_arms) else NA
  }
  out$adsl <- list(
    rows = nrow(adsl), unique_usubjid = length(unique(adsl$USUBJID)),
    dcutdt = if ("DCUTDT" %in% names(adsl)) unique(format(adsl$DCUTDT)) else NA,
    planned_arm_column = pcol, actual_arm_column = acol,
    planned_arms = p_arms, actual_arms = a_arms,
    n_by_planned_arm = counts(parm, p_arms),
    n_by_actual_arm = counts(aarm, a_arms),
    planned_vs_actual = by_arm_counts(parm, aarm, p_arms),
    itt = list(rule = if ("ITTFL" %in% names(adsl)) "ITTFL == 'Y', by planned arm" else
                 "no ITTFL: every ADSL row, by planned arm",
               by_planned_arm = counts(parm[itt], p_arms), total = sum(itt)),
    safety = list(rule = paste0("SAFFL == 'Y', by actual arm (", acol, ")"),
                  by_actual_arm = counts(aarm[is_y(adsl$SAFFL)], a_arms), total = sum(is_y(adsl$SAFFL))),
    deaths = if ("DTHFL" %in% names(adsl)) list(
      rule = "DTHFL == 'Y' (other values, NA and blank are not deaths)",
      dthfl_values = counts(adsl$DTHFL),
      by_planned_arm = counts(parm[is_y(adsl$DTHFL)], p_arms),
      by_actual_arm = counts(aarm[is_y(adsl$DTHFL)], a_arms),
      overall = sum(is_y(adsl$DTHFL))) else NA,
    discontinuation = c(list(rule = paste0("value counts per planned arm (", pcol,
                                           "); '(missing)' = NA or blank; NA = column absent")), disc)
  )

  # --- ADAE
  adae <- tabs$adae
  has_te <- "TRTEMFL" %in% names(adae)
  keep <- if (has_te) is_y(adae$TRTEMFL) else rep(TRUE, nrow(adae))
  ae_arm <- aarm[match(adae$USUBJID, adsl$USUBJID)]
  ae_arm[is.na(ae_arm)] <- "(not in ADSL)"
  own_col <- first_col(adae, c("TRTA", "TRT01A", "ACTARM"))
  own_mismatch <- if (!is.null(own_col)) {
    sub <- unique(data.frame(u = adae$USUBJID, own = chr(adae[[own_col]]), adsl = ae_arm))
    length(unique(sub$u[sub$own != sub$adsl]))
  } else NA
  gcol <- first_col(adae, c("AETOXGR", "ATOXGR"))
  grade <- if (!is.null(gcol)) suppressWarnings(as.numeric(chr(adae[[gcol]]))) else rep(NA_real_, nrow(adae))
  aesdth <- if ("AESDTH" %in% names(adae)) is_y(adae$AESDTH) else rep(FALSE, nrow(adae))
  aeout <- if ("AEOUT" %in% names(adae)) toupper(chr(adae$AEOUT)) == "FATAL" else rep(FALSE, nrow(adae))
  g5 <- !is.na(grade) & grade == 5
  fatal <- aesdth | aeout | g5
  ser <- if ("AESER" %in% names(adae)) is_y(adae$AESER) else rep(NA, nrow(adae))
  sev <- if ("AESEV" %in% names(adae)) toupper(chr(adae$AESEV)) == "SEVERE" else rep(NA, nrow(adae))
  ae_arms <- sort(unique(c(a_arms, ae_arm)))
  saf_n <- counts(aarm[is_y(adsl$SAFFL)], ae_arms)
  saf_n[["(all)"]] <- sum(is_y(adsl$SAFFL))
  out$adae <- list(
    rows = nrow(adae),
    row_filter = if (has_te) "TRTEMFL == 'Y'" else "no TRTEMFL: all rows",
    rows_used = sum(keep),
    trtemfl_values = if (has_te) counts(adae$TRTEMFL) else NA,
    arm_rule = paste0("ADSL ", acol, " matched by USUBJID; denominators = ADSL SAFFL == 'Y' by ", acol),
    adae_own_arm_column = if (is.null(own_col)) NA else own_col,
    subjects_whose_adae_arm_differs_from_adsl = own_mismatch,
    subjects_in_adae_not_safety = length(unique(adae$USUBJID[keep & !(adae$USUBJID %in% adsl$USUBJID[is_y(adsl$SAFFL)])])),
    safety_n = saf_n,
    any_ae = n_unique_by_arm(ae_arm, adae$USUBJID, keep, ae_arms),
    grade_column = if (is.null(gcol)) NA else gcol,
    grade_ge3 = if (is.null(gcol)) NA else n_unique_by_arm(ae_arm, adae$USUBJID, keep & !is.na(grade) & grade >= 3, ae_arms),
    grade_note = if (is.null(gcol)) "no AETOXGR or ATOXGR: grade >= 3 is null; see severe_aesev (AESEV == 'SEVERE')" else
      paste0(gcol, " read as a number"),
    severe_aesev = if ("AESEV" %in% names(adae)) n_unique_by_arm(ae_arm, adae$USUBJID, keep & sev, ae_arms) else NA,
    fatal_rule = "AESDTH == 'Y' or AEOUT == 'FATAL' or grade == 5",
    fatal = n_unique_by_arm(ae_arm, adae$USUBJID, keep & fatal, ae_arms),
    fatal_components = list(
      AESDTH_Y = if ("AESDTH" %in% names(adae)) n_unique_by_arm(ae_arm, adae$USUBJID, keep & aesdth, ae_arms) else NA,
      AEOUT_FATAL = if ("AEOUT" %in% names(adae)) n_unique_by_arm(ae_arm, adae$USUBJID, keep & aeout, ae_arms) else NA,
      grade_5 = if (!is.null(gcol)) n_unique_by_arm(ae_arm, adae$USUBJID, keep & g5, ae_arms) else NA),
    serious_rule = "AESER == 'Y'",
    serious = if ("AESER" %in% names(adae)) n_unique_by_arm(ae_arm, adae$USUBJID, keep & ser, ae_arms) else NA
  )

  # --- ADRS
  if (!is.null(tabs$adrs)) {
    adrs <- tabs$adrs
    rs_arm <- parm[match(adrs$USUBJID, adsl$USUBJID)]
    rs_arm[is.na(rs_arm)] <- "(not in ADSL)"
    rs_arms <- sort(unique(c(p_arms, rs_arm)))
    pc <- chr(adrs$PARAMCD)
    params <- lapply(sort(unique(pc)), function(p) {
      i <- pc == p
      list(PARAMCD = p, PARAM = unique(chr(adrs$PARAM[i])), rows = sum(i),
           subjects = length(unique(adrs$USUBJID[i])),
           max_rows_per_subject = max(table(adrs$USUBJID[i])),
           avalc_values = counts(adrs$AVALC[i]))
    })
    recist <- c("CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD")
    bor_like <- sort(unique(pc))[sapply(sort(unique(pc)), function(p) {
      i <- pc == p
      lab <- paste(unique(chr(adrs$PARAM[i])), collapse = " ")
      p %in% c("BOR", "CBOR", "BESRSPI") ||
        (grepl("best", lab, ignore.case = TRUE) && grepl("response", lab, ignore.case = TRUE) &&
           any(chr(adrs$AVALC[i]) %in% recist))
    })]
    has_anl <- "ANL01FL" %in% names(adrs)
    itt_n <- counts(parm[itt], rs_arms)
    itt_n[["(all)"]] <- sum(itt)
    resp_block <- function(rows) {
      res <- list()
      for (p in bor_like) {
        i <- rows & pc == p
        avalc <- chr(adrs$AVALC)
        resp <- i & avalc %in% c("CR", "PR")
        n <- n_unique_by_arm(rs_arm, adrs$USUBJID, i, rs_arms)
        r <- n_unique_by_arm(rs_arm, adrs$USUBJID, resp, rs_arms)
        orr <- mapply(function(a, b) if (b > 0) a / b else NA, r, n, SIMPLIFY = FALSE)
        orr_itt <- mapply(function(a, b) if (!is.null(b) && b > 0) a / b else NA, r, itt_n[names(r)],
                          SIMPLIFY = FALSE)
        res[[p]] <- list(
          PARAM = unique(chr(adrs$PARAM[pc == p])),
          rows = sum(i), max_rows_per_subject = if (any(i)) max(table(adrs$USUBJID[i])) else 0,
          avalc_by_arm = by_arm_counts(rs_arm[i], adrs$AVALC[i], rs_arms),
          n_with_row = n, responders_cr_pr = r, orr = orr,
          orr_over_itt = orr_itt)
      }
      res
    }
    other <- list()
    for (pp in params) {
      if (pp$PARAMCD %in% bor_like || pp$max_rows_per_subject > 1) next
      i <- pc == pp$PARAMCD
      other[[pp$PARAMCD]] <- list(PARAM = pp$PARAM, avalc_by_arm = by_arm_counts(rs_arm[i], adrs$AVALC[i], rs_arms))
    }
    out$adrs <- list(
      rows = nrow(adrs),
      arm_rule = paste0("ADSL ", pcol, " matched by USUBJID"),
      params = params,
      bor_like_paramcds = bor_like,
      bor_rule = paste("PARAMCD in BOR/CBOR/BESRSPI, or PARAM contains 'best' and 'response' and AVALC holds",
                       "RECIST categories (CR, PR, SD, PD, NE, NON-CR/NON-PD)"),
      orr_rule = paste("ORR = patients (unique USUBJID) with AVALC CR or PR / patients with a row of that PARAMCD,",
                       "per planned arm; orr_over_itt divides by the ITT/ADSL count per planned arm"),
      itt_n = itt_n,
      anl01fl_present = has_anl,
      anl01fl_values = if (has_anl) counts(adrs$ANL01FL) else NA,
      anl01fl_use = if (has_anl) "'with_anl01fl': only rows with ANL01FL == 'Y'; 'all_rows': every row" else
        "ANL01FL absent: all rows",
      all_rows = resp_block(rep(TRUE, nrow(adrs))),
      with_anl01fl = if (has_anl) resp_block(is_y(adrs$ANL01FL)) else NA,
      other_subject_level_params = other
    )
  } else {
    out$adrs <- NA
  }

  # --- ADTTE
  adtte <- tabs$adtte
  tt_arm <- parm[match(adtte$USUBJID, adsl$USUBJID)]
  tt_arm[is.na(tt_arm)] <- "(not in ADSL)"
  pc <- chr(adtte$PARAMCD)
  surv <- list()
  for (p in sort(unique(pc))) {
    i <- pc == p
    d <- data.frame(time = as.numeric(adtte$AVAL[i]), event = as.numeric(adtte$CNSR[i]) == 0,
                    arm = tt_arm[i], stringsAsFactors = FALSE)
    arms_here <- sort(unique(d$arm))
    lv <- c(intersect(ref, arms_here), setdiff(arms_here, ref))
    d$arm <- factor(d$arm, levels = lv)
    units <- if ("AVALU" %in% names(adtte)) unique(chr(adtte$AVALU[i])) else NA
    unit_check <- if (all(c("ADT", "STARTDT") %in% names(adtte))) {
      a <- as.numeric(adtte$AVAL[i]); dd <- as.numeric(as.Date(adtte$ADT[i]) - as.Date(adtte$STARTDT[i]))
      list(rows_with_AVAL_eq_ADT_minus_STARTDT_plus_1 = sum(!is.na(a) & !is.na(dd) & a == dd + 1),
           rows_with_AVAL_eq_ADT_minus_STARTDT = sum(!is.na(a) & !is.na(dd) & a == dd), rows = sum(i))
    } else NA
    dk <- d[!is.na(d$time), ]
    fit <- survfit(Surv(time, event) ~ arm, data = dk)
    tb <- summary(fit)$table
    if (is.null(dim(tb))) tb <- matrix(tb, nrow = 1, dimnames = list(paste0("arm=", levels(droplevels(dk$arm))), names(tb)))
    per_arm <- list()
    for (a in lv) {
      row <- paste0("arm=", a)
      sub <- d[d$arm == a, ]
      per_arm[[a]] <- list(
        n = nrow(sub), n_aval_missing = sum(is.na(sub$time)), events = sum(sub$event, na.rm = TRUE),
        km_records = if (row %in% rownames(tb)) na_null(tb[row, "records"]) else NA,
        km_events = if (row %in% rownames(tb)) na_null(tb[row, "events"]) else NA,
        median = if (row %in% rownames(tb)) na_null(tb[row, "median"]) else NA,
        median_lcl = if (row %in% rownames(tb)) na_null(tb[row, "0.95LCL"]) else NA,
        median_ucl = if (row %in% rownames(tb)) na_null(tb[row, "0.95UCL"]) else NA)
    }
    warns <- character(0)
    wh <- function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") }
    cox <- NA
    if (length(lv) >= 2 && ref %in% lv) {
      cox <- tryCatch(withCallingHandlers({
        m <- coxph(Surv(time, event) ~ arm, data = dk, ties = "efron")
        sm <- summary(m)
        res <- list()
        for (a in lv[-1]) {
          k <- paste0("arm", a)
          res[[a]] <- list(coef = na_null(sm$coefficients[k, "coef"]), se = na_null(sm$coefficients[k, "se(coef)"]),
                           hr = na_null(sm$conf.int[k, "exp(coef)"]), lcl = na_null(sm$conf.int[k, "lower .95"]),
                           ucl = na_null(sm$conf.int[k, "upper .95"]), wald_p = na_null(sm$coefficients[k, "Pr(>|z|)"]))
        }
        res
      }, warning = wh), error = function(e) list(error = conditionMessage(e)))
    }
    lr <- function(dat) tryCatch(withCallingHandlers({
      sd <- survdiff(Surv(time, event) ~ arm, data = droplevels(dat))
      df <- sum(sd$exp > 0) - 1
      list(chisq = na_null(sd$chisq), df = df,
           p = if (df > 0) na_null(pchisq(sd$chisq, df, lower.tail = FALSE)) else NA)
    }, warning = wh), error = function(e) list(error = conditionMessage(e)))
    logrank <- if (length(unique(dk$arm)) >= 2) lr(dk) else NA
    pairwise <- list()
    cox_pair <- list()
    if (ref %in% lv) for (a in lv[-1]) {
      sub <- dk[dk$arm %in% c(ref, a), ]
      pairwise[[a]] <- if (length(unique(sub$arm)) == 2) lr(sub) else NA
      # the two arms alone (as tern's coxph_pairwise and the dashboard fit it), beside the joint model above
      cox_pair[[a]] <- if (length(unique(sub$arm)) == 2) tryCatch(withCallingHandlers({
        sub$arm <- droplevels(sub$arm)
        sm <- summary(coxph(Surv(time, event) ~ arm, data = sub, ties = "efron"))
        k <- paste0("arm", a)
        list(coef = na_null(sm$coefficients[k, "coef"]), se = na_null(sm$coefficients[k, "se(coef)"]),
             hr = na_null(sm$conf.int[k, "exp(coef)"]), lcl = na_null(sm$conf.int[k, "lower .95"]),
             ucl = na_null(sm$conf.int[k, "upper .95"]), wald_p = na_null(sm$coefficients[k, "Pr(>|z|)"]))
      }, warning = wh), error = function(e) list(error = conditionMessage(e))) else NA
    }
    surv[[p]] <- list(
      PARAM = unique(chr(adtte$PARAM[i])), AVALU = units, aval_unit_check = unit_check,
      rows = sum(i), arm_rule = paste0("ADSL ", pcol, " matched by USUBJID"),
      arms = lv, reference_arm = ref, reference_present = ref %in% lv,
      per_arm = per_arm,
      cox_vs_reference = cox,
      cox_pairwise = cox_pair,
      logrank_all_arms = logrank,
      logrank_vs_reference = pairwise,
      warnings = unique(warns))
  }
  out$adtte <- list(
    rows = nrow(adtte), paramcds = sort(unique(pc)),
    rule = paste("event = CNSR == 0; time = AVAL; rows with missing AVAL dropped from the fits (counted in",
                 "n_aval_missing); KM median and 95% CI from summary(survfit)$table, conf.type 'log';",
                 "coxph ties = 'efron', Wald p; survdiff rho = 0, p = pchisq(chisq, df = groups with",
                 "expected > 0 minus 1)"),
    params = surv)
  out
}

out <- list(provenance = list(
  R_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  xpt_reader = if (has_haven) paste0("haven::read_xpt ", as.character(packageVersion("haven"))) else
    "foreign::read.xport",
  script = "tests/reference/public_adam_reference.R",
  note = "computed from the original source files; '(all)' = every arm together; NA/null = not available"))
for (nm in names(SETS)) out[[nm]] <- one_set(nm, SETS[[nm]])

writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, null = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
