package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// feedbackStore keeps ratings in memory, with the real store's checks on
// the id and the score's range (the key check is the store's, tested there).
type feedbackStore map[string]float64

func (f feedbackStore) RateAnswer(_ context.Context, _, id string, score float64, _, _ string) error {
	if score < 0 || score > 1 {
		return &router.Error{Code: router.EInvalid, Param: "score", Message: "score must be between 0 and 1"}
	}
	if _, ok := f[id]; !ok {
		return router.Errorf(router.ENotFound, "no decision %q", id)
	}
	f[id] = score
	return nil
}

func TestFeedbackErrorsUseTheAPIShape(t *testing.T) {
	tests := []struct {
		name   string
		store  FeedbackStore
		body   string
		status int
		code   string
		param  string
		inMsg  string
	}{
		{name: "rated", store: feedbackStore{"r1": -1}, body: `{"request_id":"r1","score":0.5}`, status: 200},
		{name: "unknown request", store: feedbackStore{}, body: `{"request_id":"r9","score":1}`, status: 404, code: router.ENotFound, param: "request_id", inMsg: `"r9"`},
		{name: "missing score", store: feedbackStore{"r1": -1}, body: `{"request_id":"r1"}`, status: 400, code: router.EInvalid, param: "score", inMsg: "0 (bad answer) to 1"},
		{name: "score out of range", store: feedbackStore{"r1": -1}, body: `{"request_id":"r1","score":7}`, status: 400, code: router.EInvalid, param: "score"},
		{name: "unknown field", store: feedbackStore{"r1": -1}, body: `{"request_id":"r1","score":1,"stars":5}`, status: 400, code: router.EInvalid, inMsg: "stars"},
		{name: "not JSON", store: feedbackStore{}, body: `score=1`, status: 400, code: router.EInvalid, inMsg: "JSON object"},
		{name: "no decision log", body: `{"request_id":"r1","score":1}`, status: 503, code: router.EUnavailable, inMsg: "decision log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, _ := newTestServer(t, func(c *Config) { c.Feedback = tt.store })
			w := do(srv.Handler(), http.MethodPost, "/v1/feedback", tt.body)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			if tt.status == http.StatusOK {
				assert.Equal(t, 0.5, tt.store.(feedbackStore)["r1"])
				return
			}
			e := errorOf(t, w.Body.Bytes())
			require.NotNil(t, e.Error.Code)
			assert.Equal(t, tt.code, *e.Error.Code)
			assert.Contains(t, e.Error.Message, tt.inMsg)
			if tt.param != "" {
				require.NotNil(t, e.Error.Param)
				assert.Equal(t, tt.param, *e.Error.Param)
			}
		})
	}
}

func TestFeedbackNeedsAKeyWhenKeysAreRequired(t *testing.T) {
	srv, _, _ := newTestServer(t, func(c *Config) {
		c.Feedback, c.RequireKeys, c.Keys = feedbackStore{"r1": -1}, true, keyStore{"good": true}
	})
	w := do(srv.Handler(), http.MethodPost, "/v1/feedback", `{"request_id":"r1","score":1}`)
	assert.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
	w = do(srv.Handler(), http.MethodPost, "/v1/feedback", `{"request_id":"r1","score":1}`, "Authorization", "Bearer good")
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
}

// keyedFeedback records which key each rating came with.
type keyedFeedback struct{ keys []string }

func (k *keyedFeedback) RateAnswer(_ context.Context, keyID, _ string, _ float64, _, _ string) error {
	k.keys = append(k.keys, keyID)
	return nil
}

// The store decides whose request a key may rate: it gets the caller's key
// id, or none when keys are not required.
func TestFeedbackCarriesTheCallersKey(t *testing.T) {
	for _, requireKeys := range []bool{true, false} {
		fb := &keyedFeedback{}
		srv, _, _ := newTestServer(t, func(c *Config) {
			c.Feedback, c.RequireKeys, c.Keys = fb, requireKeys, keyStore{"good": true}
		})
		w := do(srv.Handler(), http.MethodPost, "/v1/feedback", `{"request_id":"r1","score":1}`, "Authorization", "Bearer good")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		want := "id-good"
		if !requireKeys {
			want = ""
		}
		assert.Equal(t, []string{want}, fb.keys)
	}
}

// A member of the wrong type (a score sent as a string, as a form field
// gives it) is the client's 400 naming the member in param and the JSON
// type it takes, as the chat routes word theirs, not encoding/json's Go
// type names.
func TestFeedbackMemberOfTheWrongTypeIsNamedWithItsType(t *testing.T) {
	for _, tt := range []struct{ body, param, inMsg string }{
		{`{"request_id":"r1","score":"1"}`, "score", "score must be a number from 0 (bad answer) to 1 (good answer)"},
		{`{"request_id":"r1","score":true}`, "score", "score must be a number"},
		{`{"request_id":"r1","score":1e999}`, "score", "score must be a number"},
		{`{"request_id":7,"score":1}`, "request_id", "request_id must be a string"},
		{`{"request_id":"r1","score":1,"label":5}`, "label", "label must be a string"},
		{`{"request_id":"r1","score":1,"comment":["x"]}`, "comment", "comment must be a string"},
		{`[{"request_id":"r1","score":1}]`, "", "must be a JSON object with request_id, score"},
		{``, "", "the body is empty"},
	} {
		t.Run(tt.body, func(t *testing.T) {
			srv, _, _ := newTestServer(t, func(c *Config) { c.Feedback = feedbackStore{"r1": -1} })
			w := do(srv.Handler(), http.MethodPost, "/v1/feedback", tt.body)
			require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			e := errorOf(t, w.Body.Bytes())
			require.NotNil(t, e.Error.Code)
			assert.Equal(t, router.EInvalid, *e.Error.Code)
			assert.Contains(t, e.Error.Message, tt.inMsg)
			for _, goWords := range []string{"Go struct", "Go value", "unmarshal", "feedbackRequest", "float64"} {
				assert.NotContains(t, e.Error.Message, goWords)
			}
			if tt.param == "" {
				assert.Nil(t, e.Error.Param)
				return
			}
			require.NotNil(t, e.Error.Param)
			assert.Equal(t, tt.param, *e.Error.Param)
		})
	}
}
