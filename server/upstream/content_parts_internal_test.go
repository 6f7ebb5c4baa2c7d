package upstream

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Chat answer's choices reach the client with each content given as a
// list of parts turned into a string, wherever in the choices it stands
// and whatever else (logprobs' content list above all) they hold; choices
// with none reach it as they came.
func TestChoicesContentPartsAreTurnedIntoStrings(t *testing.T) {
	const parts = `[{"type":"thinking","thinking":[{"type":"text","text":"hmm"}]},{"type":"text","text":"4"}]`
	const logprobs = `"logprobs":{"content":[{"token":"message","logprob":-0.1,"bytes":[52],"top_logprobs":[]}],"refusal":null}`
	for name, tt := range map[string]struct {
		choices string
		want    []string // each choice's content; nil: choices unchanged
	}{
		"logprobs only": {
			choices: `[{"index":0,"message":{"role":"assistant","content":"4"},` + logprobs + `,"finish_reason":"stop"}]`,
		},
		"parts beside logprobs": {
			choices: `[{"index":0,"message":{"role":"assistant","content":` + parts + `},` + logprobs + `}]`,
			want:    []string{"4"},
		},
		"parts after logprobs": {
			choices: `[{"index":0,` + logprobs + `,"message":{"role":"assistant","content":` + parts + `}}]`,
			want:    []string{"4"},
		},
		"parts in the second choice": {
			choices: `[{"index":0,"message":{"content":"four"},` + logprobs + `},{"index":1,"message" : {"content" : ` + parts + `},` + logprobs + `}]`,
			want:    []string{"four", "4"},
		},
		"a content key written with escapes, without logprobs": {
			choices: `[{"index":0,"message":{"role":"assistant","c\u006fntent":` + parts + `},"logprobs":null}]`,
			want:    []string{"4"},
		},
		"a message key written with escapes": {
			choices: `[{"index":0,"messag\u0065":{"content":` + parts + `},` + logprobs + `}]`,
			want:    []string{"4"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			require.True(t, json.Valid([]byte(tt.choices)), tt.choices)
			got := stringContents([]byte(tt.choices), "message")
			if tt.want == nil {
				assert.Nil(t, got, "passed on as it came")
				return
			}
			var read []struct {
				Message struct {
					Content          string `json:"content"`
					ReasoningContent string `json:"reasoning_content"`
				} `json:"message"`
				Logprobs json.RawMessage `json:"logprobs"`
			}
			require.NoError(t, json.Unmarshal(got, &read), "%s", got)
			require.Len(t, read, len(tt.want))
			for i, w := range tt.want {
				assert.Equal(t, w, read[i].Message.Content, "choice %d", i)
				assert.NotEmpty(t, read[i].Logprobs, "choice %d keeps its logprobs", i)
			}
		})
	}
}
