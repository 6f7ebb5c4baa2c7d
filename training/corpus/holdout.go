package corpus

// InValidation reports whether a prompt text falls in the validation split
// that Split(valFrac, seed) makes, so `modelrouter eval --holdout-only` can
// keep to the prompts the router model did not train on.
func InValidation(text string, valFrac float64, seed int64) bool {
	return valFrac > 0 && promptUnit(text, seed) < valFrac
}
