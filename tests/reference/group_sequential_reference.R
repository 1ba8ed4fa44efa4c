# Reference boundaries of group-sequential designs from rpact (getDesignGroupSequential), for
# tests/test_group_sequential.py. Writes tests/reference/group_sequential_reference.json.
#
# Run from the project root:  Rscript tests/reference/group_sequential_reference.R
# Needs R with rpact and jsonlite (Debian: apt-get install -y r-cran-rpact r-cran-jsonlite).
# Made with R 4.2.2 and rpact 3.3.4 (recorded in the JSON).
#
# Cases: Lan-DeMets alpha spending of O'Brien-Fleming type (typeOfDesign "asOF") and Pocock type
# ("asP"); one-sided alpha 0.025 (sided = 1) and two-sided alpha 0.05 (sided = 2, symmetric); equally
# and unequally spaced information rates with 2 to 5 looks; and the phase III demo's design
# (data/phase3_demo.toml: looks at 50% and 75% of 247 events and the final, two-sided 0.05, OBF type).
suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})

cases <- list()
add <- function(name, rates, alpha, sided, type) {
  d <- getDesignGroupSequential(kMax = length(rates), alpha = alpha, sided = sided,
                                typeOfDesign = type, informationRates = rates)
  cases[[length(cases) + 1]] <<- list(
    name = name, information_rates = rates, alpha = alpha, sided = sided, type = type,
    critical_values = as.numeric(d$criticalValues),
    alpha_spent = as.numeric(d$alphaSpent),
    stage_levels = as.numeric(d$stageLevels))
}
for (type in c("asOF", "asP")) {
  for (sided in c(1, 2)) {
    alpha <- if (sided == 1) 0.025 else 0.05
    tag <- paste0(type, "-", sided, "sided")
    add(paste0(tag, "-2equal"), c(0.5, 1), alpha, sided, type)
    add(paste0(tag, "-3equal"), c(1 / 3, 2 / 3, 1), alpha, sided, type)
    add(paste0(tag, "-4equal"), c(0.25, 0.5, 0.75, 1), alpha, sided, type)
    add(paste0(tag, "-5equal"), c(0.2, 0.4, 0.6, 0.8, 1), alpha, sided, type)
    add(paste0(tag, "-3unequal"), c(0.3, 0.74, 1), alpha, sided, type)
    add(paste0(tag, "-2early"), c(0.15, 1), alpha, sided, type)
  }
}
add("phase3-demo", c(0.5, 0.75, 1), 0.05, 2, "asOF")
add("phase3-demo-observed", c(0.5, 182 / 247, 1), 0.05, 2, "asOF")
out <- list(provenance = list(R_version = R.version.string, rpact_version = as.character(packageVersion("rpact")),
                              script = "tests/reference/group_sequential_reference.R"),
            cases = cases)
path <- file.path("tests", "reference", "group_sequential_reference.json")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), path)
cat("wrote", path, "\n")
