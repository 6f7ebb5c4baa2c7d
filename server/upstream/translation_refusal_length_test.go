package upstream_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A translation that cannot carry a client's role, type or tool_choice
// names it in its refusal, which is the model's attempt error: in the
// answer and the decision log. A megabyte one is named by its start.
func TestTranslationRefusalsNameAClientStringByItsStart(t *testing.T) {
	long := "x" + strings.Repeat("\xff", 1<<20)
	gpt := openAIModel("gpt-x")
	tests := []struct {
		name      string
		translate func() error
	}{
		{"chat role to Claude", func() error {
			_, err := upstream.ToAnthropic([]byte(`{"messages":[{"role":"`+long+`","content":"x"}]}`), claudeModel)
			return err
		}},
		{"chat part type to Claude", func() error {
			_, err := upstream.ToAnthropic([]byte(`{"messages":[{"role":"user","content":[{"type":"`+long+`"}]}]}`), claudeModel)
			return err
		}},
		{"chat tool_choice to Claude", func() error {
			_, err := upstream.ToAnthropic([]byte(`{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"`+long+`"}`), claudeModel)
			return err
		}},
		{"messages tool_choice to Chat", func() error {
			_, err := upstream.MessagesToChat([]byte(`{"max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"`+long+`"}}`), gpt)
			return err
		}},
		{"responses role to Claude", func() error {
			_, err := upstream.ResponsesToAnthropic([]byte(`{"input":[{"role":"`+long+`","content":"x"}]}`), claudeModel)
			return err
		}},
		{"responses item type to Claude", func() error {
			_, err := upstream.ResponsesToAnthropic([]byte(`{"input":[{"type":"`+long+`"}]}`), claudeModel)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.translate()
			require.Error(t, err)
			assert.Equal(t, router.EInvalid, router.ErrorCode(err))
			assert.Less(t, len(err.Error()), 400, "the refusal repeats the client's string: %.120s", err.Error())
			assert.Contains(t, err.Error(), `"x`)
		})
	}
}
