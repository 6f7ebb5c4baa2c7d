package upstream_test

// A provider's 4xx can be large: OpenAI-compatible servers built on
// FastAPI (vLLM, SGLang) echo the offending input in a validation error,
// and an image sent as base64 makes that input megabytes long. The client's
// SDK still needs the provider's error: its type and its message, not the
// gateway's wrapper around the first bytes of a JSON text.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

func TestAProvidersErrorLargerThanAMebibyteReachesTheClientWithItsTypeAndMessage(t *testing.T) {
	echoed := strings.Repeat("A", 2<<20) // the base64 image the server echoes
	body := `{"error":{"message":"Input should be a valid URL: ` + echoed + `","type":"BadRequestError","param":null,"code":400}}`
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusBadRequest, "application/json", body))
	m.roomForALargeBody()
	out, rec := m.call(t, upstream.APIChatCompletions, false)
	require.Equal(t, http.StatusBadRequest, out.Status, "%v", out.Err)
	var got struct {
		Error struct{ Message, Type string }
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got), "%.300s", rec.Body.String())
	assert.Equal(t, "BadRequestError", got.Error.Type)
	assert.True(t, strings.HasPrefix(got.Error.Message, "Input should be a valid URL: "), "the client read: %.200s", got.Error.Message)
}

func TestAProvidersErrorLargerThanAMebibyteReachesAMessagesClientWithItsMessage(t *testing.T) {
	echoed := strings.Repeat("A", 2<<20)
	body := `{"error":{"message":"Input should be a valid URL: ` + echoed + `","type":"BadRequestError","param":null,"code":400}}`
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusBadRequest, "application/json", body))
	m.roomForALargeBody()
	out, rec := m.call(t, upstream.APIMessages, false)
	require.Equal(t, http.StatusBadRequest, out.Status, "%v", out.Err)
	var got struct {
		Type  string
		Error struct{ Message, Type string }
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got), "%.300s", rec.Body.String())
	assert.Equal(t, "error", got.Type, "Anthropic's shape")
	assert.Equal(t, "invalid_request_error", got.Error.Type)
	assert.True(t, strings.HasPrefix(got.Error.Message, "Input should be a valid URL: "), "the client read: %.200s", got.Error.Message)
	assert.Less(t, len(got.Error.Message), 1<<20, "shortened")
}
