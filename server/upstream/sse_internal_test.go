package upstream

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// brokenReader returns its text, then a broken-connection error.
type brokenReader struct{ r io.Reader }

func (b brokenReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func TestSSEReader(t *testing.T) {
	long := `"` + strings.Repeat("x", 100<<10) + `"`
	tests := []struct {
		name    string
		in      io.Reader
		want    []sseEvent
		wantErr error
	}{
		{"data only, with and without space", strings.NewReader("data: 1\n\ndata:2\n\n"), []sseEvent{{data: []byte("1")}, {data: []byte("2")}}, io.EOF},
		{"named events, CRLF, comments and ids dropped", strings.NewReader(": hi\r\nid: 1\r\nevent: ping\r\ndata: {}\r\n\r\n"), []sseEvent{{name: "ping", data: []byte("{}")}}, io.EOF},
		{"multi-line data joined", strings.NewReader("data: {\ndata: \"a\":1}\n\n"), []sseEvent{{data: []byte("{\n\"a\":1}")}}, io.EOF},
		{"last event without blank line", strings.NewReader("data: [DONE]"), []sseEvent{{data: []byte("[DONE]")}}, io.EOF},
		{"event without data is skipped", strings.NewReader("event: x\n\ndata: {}\n\n"), []sseEvent{{data: []byte("{}")}}, io.EOF},
		{"event with empty data is skipped", strings.NewReader("event: x\ndata: \n\ndata:\n\ndata: {}\n\n"), []sseEvent{{data: []byte("{}")}}, io.EOF},
		{"[DONE] with something after it is [DONE]", strings.NewReader("data: [DONE] \n\n"), []sseEvent{{data: []byte("[DONE]")}}, io.EOF},
		{"[DONE] with something after it is [DONE] without its blank line too", strings.NewReader("data: [DONE] "), []sseEvent{{data: []byte("[DONE]")}}, io.EOF},
		{"data that is not JSON ends the stream", strings.NewReader("data: {}\n\ndata: {\"a\n\ndata: {}\n\n"), []sseEvent{{data: []byte("{}")}}, errEventNotJSON},
		{"line longer than the buffer", strings.NewReader("data: " + long + "\n\n"), []sseEvent{{data: []byte(long)}}, io.EOF},
		{"broken connection mid-event", brokenReader{strings.NewReader("data: {}\n\ndata: {")}, []sseEvent{{data: []byte("{}")}}, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSSEReader(tt.in)
			var got []sseEvent
			var err error
			for {
				var ev sseEvent
				if ev, err = r.next(); err != nil {
					break
				}
				got = append(got, ev)
			}
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSSEEventWireForm(t *testing.T) {
	assert.Equal(t, "event: e\ndata: {}\n\n", string(sseEvent{name: "e", data: []byte("{}")}.appendTo(nil)))
	assert.Equal(t, "data: a\ndata: b\n\n", string(sseEvent{data: []byte("a\nb")}.appendTo(nil)), "newlines stay inside one event")
}

func TestParseUsage(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want router.Usage
		ok   bool
	}{
		{"chat completions", `{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30,
			"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":12}}`,
			router.Usage{PromptTokens: 10, CompletionTokens: 20, ReasoningTokens: 12, CachedTokens: 4}, true},
		{"responses", `{"input_tokens":7,"output_tokens":9,"input_tokens_details":{"cached_tokens":1},"output_tokens_details":{"reasoning_tokens":5}}`,
			router.Usage{PromptTokens: 7, CompletionTokens: 9, ReasoningTokens: 5, CachedTokens: 1}, true},
		{"anthropic counts cache reads and writes as prompt", `{"input_tokens":3,"output_tokens":8,"cache_read_input_tokens":100,"cache_creation_input_tokens":20}`,
			router.Usage{PromptTokens: 123, CompletionTokens: 8, CachedTokens: 100, CacheWriteTokens: 20}, true},
		{"null", `null`, router.Usage{}, false},
		{"absent", ``, router.Usage{}, false},
		{"malformed", `{"prompt_tokens":"many"}`, router.Usage{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseUsage(json.RawMessage(tt.in))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestWithStreamUsage(t *testing.T) {
	tests := []struct {
		name, in  string
		wantAdded bool
		wantOpts  string
	}{
		{"added when absent", `{"stream":true}`, true, `{"include_usage":true}`},
		{"added next to other options", `{"stream":true,"stream_options":{"x":1}}`, true, `{"include_usage":true,"x":1}`},
		{"client already asked", `{"stream":true,"stream_options":{"include_usage":true}}`, false, `{"include_usage":true}`},
		{"client said false", `{"stream":true,"stream_options":{"include_usage":false}}`, true, `{"include_usage":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := scanObject([]byte(tt.in))
			require.NoError(t, err)
			added, err := withStreamUsage(&in)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAdded, added)
			obj, err := parseObject(in.encode())
			require.NoError(t, err)
			assert.JSONEq(t, tt.wantOpts, string(obj["stream_options"]))
		})
	}
}
