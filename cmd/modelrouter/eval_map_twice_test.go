package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// One dataset model can stand for one profile and bill one count of
// reasoning tokens: given two, eval would use the last and print nothing
// of the first, so the report would not be the one asked for. It names
// both before any work; the same entry repeated is harmless.
func TestEvalRefusesAModelMappedTwiceToDifferentValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--map", "gpt-4-1106-preview=gpt-4-turbo-2024-04-09", "--map", "gpt-4-1106-preview = gpt-4o-2024-05-13"},
			`--map gives gpt-4-1106-preview two profiles, gpt-4-turbo-2024-04-09 and gpt-4o-2024-05-13`},
		{[]string{"--reasoning-tokens", "o1-mini=512", "--reasoning-tokens", "o1-mini=1024"},
			`--reasoning-tokens gives o1-mini two counts, 512 and 1024`},
	} {
		_, _, err := runCmd(t, append([]string{"eval", "--data", t.TempDir()}, tc.args...)...)
		assert.ErrorContains(t, err, tc.want)
	}
	_, _, err := runCmd(t, "eval", "--data", t.TempDir(), "--map", "a=b", "--map", "a=b", "--reasoning-tokens", "a=5", "--reasoning-tokens", "a=5")
	assert.ErrorContains(t, err, "no routing dataset", "a repeated entry is not a conflict")
}
