package upstream_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// What a translation reads is refused in another case, the review's
// top-level "Messages" among them; a member named exactly twice, and one no
// translation reads, are left as they are.
func TestExactMembersRefusesWhatATranslationWouldReadInAnotherCase(t *testing.T) {
	const head = `{"model":"router","max_tokens":5,"messages":[{"role":"user","content":"routed"}]`
	for _, tt := range []struct {
		api           upstream.API
		body, refused string
	}{
		{upstream.APIMessages, head + `,"Messages":[{"role":"user","content":"forwarded"}]}`, "Messages"},
		{upstream.APIMessages, head + `,"SYST\u0045M":"forwarded"}`, "SYSTEM"},
		{upstream.APIChatCompletions, head + `,"Temperature":2}`, "Temperature"},
		{upstream.APIResponses, `{"model":"router","input":"hi","Max_Output_Tokens":9000}`, "Max_Output_Tokens"},
		{upstream.APIMessages, head + `,"max_tokens":9}`, ""},
		{upstream.APIMessages, head + `,"Top_K":3}`, ""},
	} {
		obj, ok := jsonscan.ParseObject([]byte(tt.body))
		require.True(t, ok, tt.body)
		err := upstream.ExactMembersOf(tt.api, obj, nil)
		if tt.refused == "" {
			assert.NoError(t, err, tt.body)
			continue
		}
		var rerr *router.Error
		require.True(t, errors.As(err, &rerr), "%s: %v", tt.body, err)
		assert.Equal(t, router.EInvalid, rerr.Code)
		assert.Equal(t, tt.refused, rerr.Param, tt.body)
	}
}
