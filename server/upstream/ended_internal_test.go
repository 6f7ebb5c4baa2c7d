package upstream

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
)

// A response object says what its job billed once it is over, however it
// ended (a cancelled job bills what it ran, as its provider reports it);
// one still queued or running, or one that reports no usage, says nothing.
func TestAnOverResponseSaysWhatItsJobBilled(t *testing.T) {
	usage := `"usage":{"input_tokens":12,"output_tokens":340,"input_tokens_details":{"cached_tokens":4},"output_tokens_details":{"reasoning_tokens":300}}`
	want := router.Usage{PromptTokens: 12, CompletionTokens: 340, ReasoningTokens: 300, CachedTokens: 4}
	for _, status := range []string{"completed", "incomplete", "failed", "cancelled"} {
		got, ended, ok := endedUsage([]byte(`{"id":"resp_1","object":"response","status":"` + status + `",` + usage + `}`))
		assert.True(t, ok, status)
		assert.Equal(t, want, got, status)
		assert.Equal(t, status, ended)
	}
	for _, body := range []string{
		`{"id":"resp_1","status":"queued","usage":null}`,
		`{"id":"resp_1","status":"in_progress",` + usage + `}`,
		`{"id":"resp_1","status":"in_progress","output":[{"type":"message","status":"completed"}],` + usage + `}`,
		`{"id":"resp_1","status":"cancelled","usage":null}`,
		`{"id":"resp_1","status":"completed"}`,
		`{"id":"resp_1","object":"response.deleted","deleted":true}`,
	} {
		_, _, ok := endedUsage([]byte(body))
		assert.False(t, ok, body)
	}
	// Over without its usage: no bill, but how it ended, which decides
	// whether it has an answer to rate.
	_, ended, _ := endedUsage([]byte(`{"id":"resp_1","status":"cancelled","usage":null}`))
	assert.Equal(t, "cancelled", ended)
	_, ended, _ = endedUsage([]byte(`{"id":"resp_1","status":"in_progress","usage":null}`))
	assert.Empty(t, ended)
}

// A background job OpenAI ran at its flex or priority tier is booked at
// that tier's prices: the response object read when it is over says
// which tier served it.
func TestAnOverResponseSaysTheTierThatServedIt(t *testing.T) {
	got, _, ok := endedUsage([]byte(`{"id":"resp_1","status":"completed","service_tier":"flex","usage":{"input_tokens":12,"output_tokens":340}}`))
	assert.True(t, ok)
	assert.Equal(t, router.Usage{PromptTokens: 12, CompletionTokens: 340, ServiceTier: "flex"}, got)
}

// Every relayed read's answer is searched for its status and usage: a
// finished answer of 40,000 words (200 KB) is read in microseconds, as its
// ids are (itemIDs), not decoded whole.
func BenchmarkUsageOfALongFinishedAnswer(b *testing.B) {
	raw := []byte(`{"id":"resp_1","object":"response","status":"completed","output":[{"type":"message","id":"msg_1",` +
		`"content":[{"type":"output_text","text":"` + strings.Repeat("word ", 40_000) + `"}]}],` +
		`"usage":{"input_tokens":12,"output_tokens":340}}`)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, _, ok := endedUsage(raw); !ok {
			b.Fatal("the answer says it is over")
		}
	}
}
