package upstream

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// What a stream sends before its answer is held (the model may still fail
// over) up to 64 KiB; the event that would take it past goes out with
// everything held, first to last, and what follows is not held again.
func TestTheGatewayHoldsAtMost64KiBOfAStreamBeforeItsAnswer(t *testing.T) {
	s := newOpenAIStream(router.Model{ID: "m-id"}, false)
	s.failover = true
	chunk := func(n byte) sseEvent {
		return sseEvent{data: []byte(`{"choices":[],"n":"` + string(n) + strings.Repeat("x", 40<<10) + `"}`)}
	}

	assert.Empty(t, s.translate(chunk('a')), "40 KiB is held")
	out := s.translate(chunk('b'))
	require.Len(t, out, 2, "80 KiB is not held: the held event goes out with the new one")
	assert.Contains(t, string(out[0].data), `"n":"ax`)
	assert.Contains(t, string(out[1].data), `"n":"bx`)
	assert.Len(t, s.translate(chunk('c')), 1, "once passed on, events are not held again")
}
