package upstream

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Only a masked echo of a configured key is removed: the key's own first
// characters and last four around the asterisks; other asterisks, and
// another key's echo, stay as the provider wrote them.
func TestRedactRemovesOnlyAMaskedEchoOfAConfiguredKey(t *testing.T) {
	ps := Providers{ByName: map[string]Provider{"openai": {APIKey: "sk-proj-Abc123Def456Ghi789wxyz"}}}
	for in, want := range map[string]string{
		"key: sk-proj-********wxyz.":                    "key: [redacted].",
		"key: sk-proj-Ab******wxyz, again sk-p****wxyz": "key: [redacted], again [redacted]",
		"key: sk-other-******wxyz":                      "key: sk-other-******wxyz",
		"key: sk-proj-********abcd":                     "key: sk-proj-********abcd",
		"key: sk-proj-********wxyzz":                    "key: sk-proj-********wxyzz",
		"a **** rating, sk-proj-**wxyz":                 "a **** rating, sk-proj-**wxyz",
		"the whole key sk-proj-Abc123Def456Ghi789wxyz":  "the whole key [redacted]",
	} {
		assert.Equal(t, want, ps.redact(in), in)
	}
}
