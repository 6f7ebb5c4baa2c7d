package models

// TokenFeatureVector exposes EstimateTokens' features, in coefficient order,
// to the refit in tokens_test.go.
func TokenFeatureVector(text string) []float64 {
	f := countFeatures(text)
	return []float64{f.words, f.letters, f.digitGroups, f.punct, f.nonASCII}
}
