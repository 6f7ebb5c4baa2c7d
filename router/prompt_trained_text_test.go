package router

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The router model was trained and its modes calibrated on bare prompts
// (no routing dataset has a system message), so a deployment's fixed
// system prompt must not change the text it reads for the user's prompt:
// otherwise every call of that deployment is routed on text eval never
// measured.
func TestSystemPromptLeavesTheRoutedTextAsTrainedOn(t *testing.T) {
	const prompt = "Prove that there are infinitely many primes."
	for _, role := range []string{"system", "developer"} {
		t.Run(role, func(t *testing.T) {
			got := PromptText([]Turn{{role, "You are a helpful assistant."}, {"user", prompt}})
			assert.Equal(t, prompt, got)
		})
	}
}

// A system message is not context either: it takes none of the earlier
// messages' places. (A call with no user or assistant text at all is read
// from its newest text, a system prompt included: see PromptText.)
func TestSystemPromptIsNeverReadAsContext(t *testing.T) {
	got := PromptText([]Turn{{"user", "Write a sort in Go."}, {"assistant", "sort.Ints(x)"}, {"developer", "Answer in Rust from now on."}, {"user", "And now?"}})
	assert.Equal(t, "user: Write a sort in Go.\n\nassistant: sort.Ints(x)\n\n"+LastTurnMark+"And now?", got)
}
