package server

// CharsPerToken is the fallback estimate's ratio: about 4 characters per
// token for English text with OpenAI tokenizers.
const CharsPerToken = 4

// EstimateTokensByChars is the default prompt token estimate: ceil(len/4)
// of the texts joined by newlines, counted without joining them (for a
// large request that copy is about the size of its body). serve.go swaps in
// models.EstimateJoinedTokens, which is fitted to o200k_base counts.
func EstimateTokensByChars(texts []string) int {
	n := max(len(texts)-1, 0) // the newlines between them
	for _, t := range texts {
		n += len(t)
	}
	return (n + CharsPerToken - 1) / CharsPerToken
}
