package server

import (
	"context"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// resumeReader reads a background answer's streams as OpenAI's docs say
// to: it keeps the sequence_number of every event it gets, the gateway's
// error events included, and resumes after the last one.
type resumeReader struct {
	last   int64
	got    []responses.ResponseStreamEventUnion // the provider's events
	errors []responses.ResponseStreamEventUnion // the gateway's error events
}

func (r *resumeReader) read(t *testing.T, s *ssestream.Stream[responses.ResponseStreamEventUnion]) {
	t.Helper()
	for s.Next() {
		ev := s.Current()
		r.last = ev.SequenceNumber
		if ev.Type == "error" {
			r.errors = append(r.errors, ev)
			continue
		}
		r.got = append(r.got, ev)
	}
	require.NoError(t, s.Err())
}

// eventKey is what tells a background answer's events apart: one number
// each, and the text it carries.
func eventKey(ev responses.ResponseStreamEventUnion) string {
	return ev.Type + "|" + ev.Delta
}

// A client that streams a background answer, loses the stream to a
// provider that cut it and then to a replay that went silent, and each
// time resumes after the last sequence_number it got, ends with every
// event of the answer exactly once, in order, numbered as the provider
// numbered them: the gateway's error events take no number of the
// provider's.
func TestE2EBackgroundStreamResumesAfterTheLastSequenceNumber(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Forwarder.(*upstream.Forwarder).StreamIdle = 200 * time.Millisecond })
	reply := "one two three four five six seven eight"
	// Cut after 7 events: past the held opening (created, queued,
	// in_progress) and the answer's first events.
	e.openai.Set("mini", upstreamtest.Behavior{Reply: reply, CutAfter: 7})
	client := e.clients()["v1"]
	ctx := context.Background()
	bg := ask("A long report, please.")
	bg.Background = openai.Bool(true)

	var r resumeReader
	r.read(t, client.Responses.NewStreaming(ctx, bg, onModel("mini")))
	require.NotEmpty(t, r.got)
	first := r.got[0]
	assert.Equal(t, "response.created", first.Type)
	assert.EqualValues(t, 0, first.SequenceNumber, "details ride on the provider's first event, which keeps its number")
	assert.Contains(t, first.RawJSON(), `"model_selection_details"`)
	require.Len(t, r.errors, 1, "the cut stream ends with the gateway's error event")
	assert.Equal(t, "upstream_stream_interrupted", r.errors[0].Code)
	id := first.Response.ID

	// The replay goes silent after three events: the gateway ends it.
	e.openai.Set("mini", upstreamtest.Behavior{Reply: reply, Stall: true, StallAfter: 3})
	r.read(t, client.Responses.GetStreaming(ctx, id, responses.ResponseGetParams{StartingAfter: openai.Int(r.last)}))
	require.Len(t, r.errors, 2)
	assert.Contains(t, r.errors[1].Message, "nothing for 200ms")

	e.openai.Set("mini", upstreamtest.Behavior{Reply: reply})
	r.read(t, client.Responses.GetStreaming(ctx, id, responses.ResponseGetParams{StartingAfter: openai.Int(r.last)}))
	require.Len(t, r.errors, 2, "the last replay runs to its end")

	// The whole answer as the provider numbers it, read in one piece.
	var whole resumeReader
	whole.read(t, client.Responses.GetStreaming(ctx, id, responses.ResponseGetParams{}))
	require.Empty(t, whole.errors)
	require.Equal(t, "response.completed", whole.got[len(whole.got)-1].Type)

	want, got := make([]string, len(whole.got)), make([]string, len(r.got))
	for i, ev := range whole.got {
		require.EqualValues(t, i, ev.SequenceNumber, "the provider numbers its events from 0")
		want[i] = eventKey(ev)
	}
	for i, ev := range r.got {
		require.EqualValues(t, i, ev.SequenceNumber, "event %d of the resumed reads: no gap, no repeat", i)
		got[i] = eventKey(ev)
	}
	assert.Equal(t, want, got, "every event once, in order")
	var text string
	for _, ev := range r.got {
		text += ev.Delta
	}
	assert.Equal(t, reply, text)
}
