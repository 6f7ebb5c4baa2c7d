package router

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPromptTextReadsTheLastUserTurnWithALittleContext(t *testing.T) {
	cases := []struct {
		name  string
		turns []Turn
		want  string
	}{
		{"single prompt", []Turn{{"user", "What is 2+2?"}}, "What is 2+2?"},
		{"follow-up", []Turn{{"system", "Be terse"}, {"user", "Write a sort in Go."}, {"assistant", "sort.Ints(x)"}, {"user", "And in Rust?"}},
			"user: Write a sort in Go.\n\nassistant: sort.Ints(x)\n\n" + LastTurnMark + "And in Rust?"},
		{"a trailing answer is not the prompt", []Turn{{"user", "Q1"}, {"assistant", "A1"}}, "Q1"},
		{"empty turns are skipped", []Turn{{"user", "Q1"}, {"assistant", "  "}, {"user", "Q2"}}, "user: Q1\n\n" + LastTurnMark + "Q2"},
		{"no user text: the newest answer", []Turn{{"assistant", "Here is the chart."}, {"user", ""}, {"assistant", ""}}, "Here is the chart."},
		{"tool results are not read", []Turn{{"user", "Weather in Paris?"}, {"tool", `{"temp_c":18}`}, {"function", "18"}, {"user", "A poem about it."}},
			"user: Weather in Paris?\n\n" + LastTurnMark + "A poem about it."},
		{"a system prompt alone is read rather than nothing", []Turn{{"system", "Summarize: the rivers of Spain..."}, {"user", ""}},
			"Summarize: the rivers of Spain..."},
		{"so is a tool result alone", []Turn{{"user", ""}, {"tool", "42"}}, "42"},
		{"nothing", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, PromptText(c.turns))
		})
	}
}

func TestPromptTextGivesEachEarlierMessageItsShare(t *testing.T) {
	question := "Solve for x: " + strings.Repeat("x+1=2; ", 200)
	answer := strings.Repeat("Let us think step by step. ", 200)
	got := PromptText([]Turn{{"user", question}, {"assistant", answer}, {"user", "Now explain it to a child."}})

	context, last := SplitPrompt(got)
	assert.Equal(t, "Now explain it to a child.", last)
	parts := strings.Split(context, "\n\n")
	assert.Len(t, parts, 2)
	assert.True(t, strings.HasPrefix(parts[0], "user: "), "the user's question survives a long answer: %.40q", parts[0])
	assert.True(t, strings.HasPrefix(parts[1], "assistant: "))
	for _, p := range parts[:2] {
		_, text, _ := strings.Cut(p, ": ")
		assert.LessOrEqual(t, len(text), ContextChars/ContextMessages)
	}
}

func TestPromptTextNeverSplitsARune(t *testing.T) {
	long := strings.Repeat("é", 2000)
	got := PromptText([]Turn{{"user", long}, {"assistant", long}, {"user", "last"}})
	assert.True(t, strings.ToValidUTF8(got, "?") == got)
	assert.True(t, strings.HasSuffix(got, "\n\n"+LastTurnMark+"last"))
}

// The classifier truncates the last turn on its own, so it must find
// exactly where the last turn begins, whatever the turns contain.
func TestSplitPromptGivesBackTheLastTurn(t *testing.T) {
	question := "Which option?" + LastTurnMark + " (A) 1 (B) 2"
	context, last := SplitPrompt(PromptText([]Turn{{"user", "Earlier" + LastTurnMark + " question"}, {"assistant", "An answer."}, {"user", question}}))
	assert.Equal(t, "user: Earlier question\n\nassistant: An answer.", context)
	assert.Equal(t, "Which option? (A) 1 (B) 2", last, "a mark inside a turn neither moves the cut nor stays in the text")

	context, last = SplitPrompt(PromptText([]Turn{{"user", "What is 2+2?"}}))
	assert.Empty(t, context, "a single prompt has no context")
	assert.Equal(t, "What is 2+2?", last)
}
