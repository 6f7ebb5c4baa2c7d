package upstream_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// answersStopping is an OpenAI-compatible server that stops at a stop
// sequence and says which one in the choice's member field (vLLM's and
// TensorRT-LLM's stop_reason, SGLang's matched_stop), streamed or not.
func answersStopping(field, matched string) http.HandlerFunc {
	stop := `"finish_reason":"stop","` + field + `":"` + matched + `"`
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"stream":true`) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"1, 2, 3"},`+stop+`}],"usage":{"prompt_tokens":9,"completion_tokens":5}}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, c := range []string{
			`{"id":"c1","choices":[{"index":0,"delta":{"role":"assistant","content":"1, 2, 3"},"finish_reason":null}]}`,
			`{"id":"c1","choices":[{"index":0,"delta":{"content":""},` + stop + `}]}`,
			`{"id":"c1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":5}}`,
			`[DONE]`,
		} {
			_, _ = io.WriteString(w, sseData(c))
		}
	}
}

// Anthropic answers a call that stopped at one of its stop_sequences with
// stop_reason "stop_sequence" and the sequence in stop_sequence; clients
// branch on them (an answer cut at "</answer>" is whole, one that ended its
// turn is not). A server that names the sequence it stopped at gives the
// Messages client the same, streamed or not.
func TestMessagesStoppedAtAStopSequenceNamedByTheServerSayWhich(t *testing.T) {
	for _, field := range []string{"stop_reason", "matched_stop"} {
		for _, stream := range []bool{false, true} {
			t.Run(field+map[bool]string{false: "", true: " streamed"}[stream], func(t *testing.T) {
				m := newMisbehaving(t, upstream.KindOpenAI, answersStopping(field, "4"))
				g := newGateway(t, m.fwd, upstream.APIMessages, m.bad)
				p := helloParams
				p.StopSequences = []string{"5", "4"}
				msg := messageOf(t, messagesClient(g), p, stream)
				assert.Equal(t, anthropic.StopReasonStopSequence, msg.StopReason, "%s", msg.RawJSON())
				assert.Equal(t, "4", msg.StopSequence)
				assert.Equal(t, "1, 2, 3", msg.Content[0].Text)
			})
		}
	}
}

// A string the call did not send as a stop sequence (a server's own stop
// string) is no stop_sequence of the client's: the answer ended its turn.
func TestMessagesStoppedAtAStopStringTheClientDidNotSendEndTheirTurn(t *testing.T) {
	for _, stream := range []bool{false, true} {
		m := newMisbehaving(t, upstream.KindOpenAI, answersStopping("stop_reason", "<|im_end|>"))
		g := newGateway(t, m.fwd, upstream.APIMessages, m.bad)
		p := helloParams
		p.StopSequences = []string{"4"}
		msg := messageOf(t, messagesClient(g), p, stream)
		assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason, "stream %v: %s", stream, msg.RawJSON())
		assert.Empty(t, msg.StopSequence)
	}
}

func messageOf(t *testing.T, c anthropic.Client, p anthropic.MessageNewParams, stream bool) anthropic.Message {
	t.Helper()
	if stream {
		msg, err := accumulate(t, c, p)
		require.NoError(t, err)
		return msg
	}
	msg, err := c.Messages.New(context.Background(), p)
	require.NoError(t, err)
	return *msg
}
