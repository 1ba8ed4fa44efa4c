# Helpers shared by the issue-19 reference scripts (issue19_reference.R, issue19_forest.R), sourced by
# both: numbers as verbatim JSON (shortest decimal that reads back as the identical double) and
# warnings collected rather than raised.

# Shortest decimal representation that reads back as the identical double, as verbatim JSON.
num_json <- function(v) {
  if (is.na(v)) return("null")                              # NA and NaN
  if (is.infinite(v)) return(if (v > 0) "\"Inf\"" else "\"-Inf\"")
  for (d in 15:17) {
    s <- sprintf(paste0("%.", d, "g"), v)
    if (as.numeric(s) == v) break
  }
  s
}
# Recursively replace numbers by verbatim JSON; vectors of length > 1 become JSON arrays,
# length-1 vectors scalars (wrap a value in arr() to keep it an array).
prep <- function(x) {
  if (is.list(x)) return(lapply(x, prep))
  if (is.numeric(x) && !is.null(attr(x, "keep_array"))) {
    return(structure(paste0("[", paste(vapply(as.numeric(x), num_json, ""), collapse = ", "), "]"),
                     class = "json"))
  }
  if (is.numeric(x)) {
    x <- as.numeric(x)
    if (length(x) == 1) return(structure(num_json(x), class = "json"))
    return(structure(paste0("[", paste(vapply(x, num_json, ""), collapse = ", "), "]"),
                     class = "json"))
  }
  if (is.factor(x)) x <- as.character(x)
  if (length(x) > 1 || !is.null(attr(x, "keep_array"))) return(I(unname(x)))
  unname(x)
}
arr <- function(x) { attr(x, "keep_array") <- TRUE; x }
named <- function(x) as.list(x)                              # named vector -> JSON object

# Evaluate expr, collecting (not raising) warnings.
with_warnings <- function(expr) {
  w <- character(0)
  value <- withCallingHandlers(expr, warning = function(cond) {
    w <<- c(w, conditionMessage(cond))
    invokeRestart("muffleWarning")
  })
  list(value = value, warnings = w)
}
