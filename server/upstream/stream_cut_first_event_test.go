package upstream_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A stream whose body ends cleanly in the middle of its first event (here a
// Content-Length that stops inside it, as a proxy in front of a provider
// that died may send) has sent no event: the README's failover rule says the next model
// is tried. Passing the half event on as if it were whole would give the
// client an invalid JSON chunk its SDK cannot parse, and no failover.
func TestStreamCutInsideItsFirstEventFailsOver(t *testing.T) {
	cut := func(w http.ResponseWriter, _ *http.Request) {
		b := []byte(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel`)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(b))) // a clean end of body, inside the event
		_, _ = w.Write(b)
	}
	out, rec := badThenGood(t, cut, true)
	assert.Equal(t, "good-id", out.Answered.ID, "no failover after a stream cut inside its first event")
	assert.NoError(t, out.Err)
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		assert.True(t, json.Valid([]byte(data)), "the client got a chunk that is not JSON: %s", data)
	}
}
