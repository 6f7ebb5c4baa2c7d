package classifier

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

func shippedTokenizer(t *testing.T) (*Tokenizer, models.Card) {
	t.Helper()
	files, err := models.Artifacts()
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	tok, err := NewTokenizer(files.TokenizerJSON)
	require.NoError(t, err)
	return tok, card
}

var (
	earlierQuestion = strings.Repeat("Explain how the following function works and suggest improvements. ", 8)
	earlierAnswer   = strings.Repeat("The function iterates over the list, builds a map of counts and returns the most common key. ", 6)
)

// Long prompts are read as their first and last tokens because "long
// prompts frame the task at the start"; training and eval read a question
// that way. Earlier messages read as context must not take the place of
// the start of the question the user is asking now.
func TestLongFollowUpKeepsTheStartOfItsLastTurnInTheWindow(t *testing.T) {
	tok, card := shippedTokenizer(t)
	head, tail := card.Truncation.Head, card.Truncation.Tail
	question := "Consider the following multiple-choice question about thermodynamics. " +
		strings.Repeat("An ideal gas expands isothermally at 300 K from 2 L to 6 L against a piston. ", 6) +
		"Which of the options gives the work done by the gas? (A) 2.7 kJ (B) 1.1 kJ (C) 0.9 kJ (D) 3.3 kJ"
	text := router.PromptText([]router.Turn{{Role: "user", Text: earlierQuestion}, {Role: "assistant", Text: earlierAnswer}, {Role: "user", Text: question}})

	window := tok.EncodeWindow(text, head, tail)
	asTrained := Truncate(tok.Encode(question), head, tail)
	require.Less(t, len(asTrained), head+tail, "the question leaves room for context")
	require.Equal(t, asTrained, window[len(window)-len(asTrained):],
		"the router model reads this follow-up (%d tokens) as it reads the same question as a dataset prompt", len(tok.Encode(question)))
	require.Len(t, window, head+tail, "the context fills the room the question leaves")
	context, _ := router.SplitPrompt(text)
	require.True(t, strings.HasPrefix(context, "user: "))
	require.Equal(t, tok.Encode(context)[:head+tail-len(asTrained)], window[:head+tail-len(asTrained)],
		"the context's start (the earlier question) comes first")

	longer := strings.Repeat(question+" ", 3)
	text = router.PromptText([]router.Turn{{Role: "user", Text: earlierQuestion}, {Role: "assistant", Text: earlierAnswer}, {Role: "user", Text: longer}})
	require.Equal(t, Truncate(tok.Encode(longer), head, tail), tok.EncodeWindow(text, head, tail),
		"a last turn longer than the window is read by its own first and last tokens, with no room for context")
}

// A conversation that fits the window is read whole, as before the last
// turn had a window of its own.
func TestShortFollowUpReadsItsWholeConversation(t *testing.T) {
	tok, card := shippedTokenizer(t)
	text := router.PromptText([]router.Turn{{Role: "user", Text: "Write a sort in Go."}, {Role: "assistant", Text: "sort.Ints(x)"}, {Role: "user", Text: "And in Rust?"}})
	require.Equal(t, tok.Encode(strings.ReplaceAll(text, router.LastTurnMark, "")), tok.EncodeWindow(text, card.Truncation.Head, card.Truncation.Tail))
	require.Equal(t, tok.Encode("user: Write a sort in Go. assistant: sort.Ints(x) And in Rust?"), tok.EncodeWindow(text, card.Truncation.Head, card.Truncation.Tail))
}

// The router model was trained and evaluated on single prompts cut by
// Truncate; a single prompt sent to the gateway must give exactly those
// token ids, even one that contains the mark PromptText writes.
func TestSinglePromptGivesTheTokensItWasTrainedOn(t *testing.T) {
	tok, card := shippedTokenizer(t)
	prompts := append(testPrompts(), edgeCases...)
	prompts = append(prompts, "a"+router.LastTurnMark+"b", strings.Repeat("word "+router.LastTurnMark, 400), router.LastTurnMark+strings.Repeat("long question ", 300))
	if sharedData() != "" {
		prompts = append(prompts, realPrompts(t, 100, 100)...)
	}
	for i, p := range prompts {
		routed := router.PromptText([]router.Turn{{Role: "user", Text: p}})
		require.Equalf(t, Truncate(tok.Encode(p), card.Truncation.Head, card.Truncation.Tail),
			tok.EncodeWindow(routed, card.Truncation.Head, card.Truncation.Tail), "prompt %d %.80q", i, p)
	}
}

// Training tokenizes with the tokenizer it learns through Window; it must
// cut every conversation exactly as the classifier does when routing.
func TestTrainingReadsAConversationAsTheClassifierDoes(t *testing.T) {
	tok, _ := shippedTokenizer(t)
	encode := func(s string) ([]int64, error) { return tok.Encode(s), nil }
	lasts := []string{"", "And in Rust?", strings.Repeat("the question goes on ", 20), strings.Repeat("a very long question ", 300), "日本語 " + strings.Repeat("長", 400)}
	contexts := [][]router.Turn{nil, {{Role: "user", Text: "Q1"}}, {{Role: "user", Text: earlierQuestion}, {Role: "assistant", Text: earlierAnswer}},
		{{Role: "user", Text: strings.Repeat("é", 2000)}, {Role: "assistant", Text: strings.Repeat("x ", 2000)}}}
	for _, ctx := range contexts {
		for _, last := range lasts {
			text := router.PromptText(append(slices.Clone(ctx), router.Turn{Role: "user", Text: last}))
			for _, w := range []struct{ head, tail int }{{192, 64}, {24, 8}, {10, 0}, {0, 10}, {1, 1}} {
				got, err := Window(text, w.head, w.tail, encode)
				require.NoError(t, err)
				require.Equalf(t, tok.EncodeWindow(text, w.head, w.tail), got, "head %d tail %d, %.80q", w.head, w.tail, text)
			}
		}
	}
}

// Predict reads a conversation by its window: the whole last turn (it
// fits) after as much of the context as fits before it.
func TestPredictReadsAConversationByItsWindow(t *testing.T) {
	const head, tail = 24, 8
	m := newTestModel(t, head, tail)
	c := open(t, m.files, Options{})
	question := "how to write a python function? explain why, and write the code in python with a function"
	text := router.PromptText([]router.Turn{{Role: "user", Text: "what is a function in python and how to write it"}, {Role: "assistant", Text: "a function is code"}, {Role: "user", Text: question}})
	earlier, _ := router.SplitPrompt(text)

	q := m.tok.Encode(question)
	require.Less(t, len(q), head+tail)
	want := append(m.tok.Encode(earlier)[:head+tail-len(q)], q...)
	require.NotEqual(t, Truncate(m.tok.Encode(text), head, tail), want, "the old cut of the joined text differs")
	preds, err := c.Predict(context.Background(), []string{text})
	require.NoError(t, err)
	requireMatchesForward(t, m.weights, testProfiles, [][]int64{want}, preds)
}
