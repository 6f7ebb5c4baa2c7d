package models_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/models"
)

// The gateway counts a request's texts as if joined by newlines without
// joining them: the count must be the joined text's, exactly, however the
// texts end and begin (a word, a digit run or a UTF-8 sequence cut at a
// text's edge, spaces, empty texts) and however many small texts there are
// (the intercept and the rounding apply once, not per text).
func TestEstimateJoinedTokensIsTheJoinedTextsEstimate(t *testing.T) {
	tests := map[string][]string{
		"none":                     nil,
		"one empty text":           {""},
		"two empty texts":          {"", ""},
		"an empty text among them": {"", "Hello", "", "there"},
		"a single text":            {"What is the capital of France?"},
		"a conversation": {
			"You are a careful reviewer of Go code.",
			"Please review this diff:\n+count := 1\n-count := 0",
			`{"path":"main.go","line":42}`,
			"Looks good, but name the constant.",
		},
		"many one-letter texts":   strings.Split(strings.Repeat("a ", 40), " "),
		"digit runs at the edges": {"order 12", "34 items", "5", "678901"},
		"words at the edges":      {"foo", "bar", "baz."},
		"spaces at the edges":     {"  lead", "trail  ", "\t", "\n\n", "\u00a0nbsp\u2003"},
		"multi-byte text":         {"Größe: 3 m²", "日本語のテキスト", "emoji 👍🏽 ok", "Привет, мир"},
		"UTF-8 cut at the edges":  {"caf\xc3", "\xa9 au lait", "\xe2\x82", "\xac10"},
	}
	for name, texts := range tests {
		joined := strings.Join(texts, "\n")
		assert.Equal(t, models.EstimateTokens(joined), models.EstimateJoinedTokens(texts), "%s: %q", name, texts)
	}
}

// FuzzEstimateJoinedTokens looks for texts whose edges the table missed
// (go test -fuzz FuzzEstimateJoinedTokens ./models/).
func FuzzEstimateJoinedTokens(f *testing.F) {
	f.Add("12", "34", "")
	f.Add("caf\xc3", "\xa9", " x ")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		texts := []string{a, b, c}
		assert.Equal(t, models.EstimateTokens(strings.Join(texts, "\n")), models.EstimateJoinedTokens(texts), "%q", texts)
	})
}
