package store_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A streamed answer that went out but did not end cleanly can be rated:
// a chat UI's stop button mid-answer (499), a stream that broke after
// tokens (502) or was cut at shutdown (503). The log names the model in
// answered, and the user saw (part of) its answer. Only a provider's own
// refusal (its 4xx passed to the client) has no answer to rate.
func TestPartiallyStreamedAnswerCanBeRated(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	at := time.Now().UTC().Add(-time.Minute)
	var ids []string
	for _, st := range []int{499, http.StatusBadGateway, http.StatusServiceUnavailable} {
		r := sampleRecord("partial-"+http.StatusText(st), at)
		r.Status = st // answered stays "mini": its stream began
		logged(t, s, r)
		ids = append(ids, r.RequestID)
	}
	for _, id := range ids {
		assert.NoError(t, s.RateAnswer(ctx, "", id, 0, "stopped", ""), "rating %s (the client saw the model's answer)", id)
	}
}
