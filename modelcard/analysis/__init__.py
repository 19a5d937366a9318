"""Analysis of measured results: the verdict rule, change classification and multiplicity adjustment."""
