package server

// CharsPerToken is the fallback estimate's ratio: about 4 characters per
// token for English text with OpenAI tokenizers.
const CharsPerToken = 4

// EstimateTokensByChars is the default prompt token estimate,
// ceil(len/4). serve.go swaps in models.EstimateTokens, which is fitted to
// o200k_base counts.
func EstimateTokensByChars(text string) int {
	return (len(text) + CharsPerToken - 1) / CharsPerToken
}
