package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A rating labels an answer, so a logged call that no model answered
// cannot be rated: a decision-only /v1/route call, a 404 for an unknown
// deployment, and a 401 made with a bad key (its key_id is empty, so every
// key can see it). Each is refused with EInvalid on request_id, and nothing
// is written.
func TestFeedbackOnACallWithNoAnswerIsRefused(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	at := time.Now().UTC().Add(-time.Minute)

	route := sampleRecord("route-only", at)
	route.API, route.Answered, route.Attempts, route.Usage, route.CostUSD = "route", "", nil, router.Usage{}, 0
	badKey := unroutedRecord("bad-key", at, 401, router.EUnauthorized)
	noDeployment := unroutedRecord("no-deployment", at, 404, router.ENotFound)
	noDeployment.KeyID = "key_a"
	logged(t, s, route, badKey, noDeployment)

	for _, c := range []struct{ key, id string }{
		{"", "route-only"},
		{"key_a", "no-deployment"},
		{"key_b", "bad-key"}, // another key's failed login, rated by key_b
	} {
		err := s.RateAnswer(ctx, c.key, c.id, 1, "good", "")
		if assert.Error(t, err, "rating %s (no model answered it) was accepted", c.id) {
			assert.Equal(t, router.EInvalid, router.ErrorCode(err), "%v", err)
			assert.Contains(t, err.Error(), "no answer to rate")
		}
	}
	// Another key's unanswered call stays not found, as its answered ones do.
	assert.Equal(t, router.ENotFound, router.ErrorCode(s.RateAnswer(ctx, "key_b", "no-deployment", 1, "", "")))
	var n int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM feedback`).Scan(&n))
	assert.Zero(t, n, "feedback rows on calls without an answer")
}

// A provider's own 4xx passed to the client is logged with the refusing
// model in answered (the client got that model's response). Rating it is
// refused, and the refusal says why without denying what the log shows:
// the model refused, it did not go unanswered.
func TestFeedbackOnAProviderRefusalNamesTheRefusingModel(t *testing.T) {
	s := MustOpen(t)
	refused := sampleRecord("provider-400", time.Now().UTC().Add(-time.Minute))
	refused.Status, refused.ErrorCode, refused.Usage, refused.CostUSD, refused.FirstByte = 400, router.EInvalid, router.Usage{}, 0, 0
	logged(t, s, refused)

	err := s.RateAnswer(context.Background(), "", "provider-400", 0, "bad", "")
	require.Error(t, err)
	assert.Equal(t, router.EInvalid, router.ErrorCode(err), "%v", err)
	assert.Contains(t, err.Error(), "no answer to rate")
	assert.Contains(t, err.Error(), refused.Answered+" refused it")
	assert.NotContains(t, err.Error(), "no model answered")
}
