package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// serve deletes decision rows older than --keep-decisions when it starts
// (and every hour after), and a key whose total budget those rows spent
// stays refused: the budget outlives the rows.
func TestServePrunesOldDecisionsAndKeepsTheirSpendForBudgets(t *testing.T) {
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	ctx := context.Background()
	st, err := store.Open(db)
	require.NoError(t, err)
	plaintext, key, err := st.CreateKey(ctx, "batch")
	require.NoError(t, err)
	_, err = st.SetKeyBudget(ctx, key.ID, store.Budget{USD: 1, Period: store.PeriodTotal})
	require.NoError(t, err)
	st.Log().Record(router.Record{RequestID: "old", Time: time.Now().Add(-72 * time.Hour), API: "chat.completions",
		KeyID: key.ID, CostUSD: 1.5, Status: 200})
	st.Log().Record(router.Record{RequestID: "recent", Time: time.Now().Add(-time.Hour), API: "chat.completions", Status: 200})
	require.NoError(t, st.Close())

	base, stop, done := startServe(t, upstreamtest.NewOpenAI(t), db, func(o *serveOptions) {
		o.keepDecisions = 24 * time.Hour
		o.requireKeys = true
	})
	defer func() { stop(); <-done }()
	waitForIDs(t, db, `SELECT group_concat(request_id) FROM decisions`, "recent", "the old row is deleted, the recent one kept")

	c := openai.NewClient(option.WithBaseURL(base+"/v1/"), option.WithAPIKey(plaintext), option.WithMaxRetries(0))
	_, err = c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Name a river.")}})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr, "the key spent $1.50 of its $1.00 in total")
	assert.Equal(t, http.StatusTooManyRequests, apiErr.StatusCode)
	assert.Equal(t, "insufficient_quota", apiErr.Code)
	assert.Contains(t, apiErr.Message, "has spent $1.50 of its budget of $1.00 in total")
}

// --keep-decisions sits in the config file as keep_decisions, a flag beats
// it, and a negative one is refused like keep_responses.
func TestConfigFileSetsHowLongDecisionsAreKept(t *testing.T) {
	path := writeConfig(t, `{"keep_decisions": "2160h"}`)
	o, err := parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 90*24*time.Hour, o.keepDecisions)

	o, err = parseServeArgs([]string{"--config", path, "--keep-decisions", "0"}, nil, io.Discard)
	require.NoError(t, err)
	assert.Zero(t, o.keepDecisions, "the flag beats the file")

	o, err = parseServeArgs(nil, nil, io.Discard)
	require.NoError(t, err)
	assert.Zero(t, o.keepDecisions, "rows are kept forever unless the operator says otherwise")

	_, err = parseServeArgs([]string{"--config", writeConfig(t, `{"keep_decisions": "-1h"}`)}, nil, io.Discard)
	assert.ErrorContains(t, err, "keep_decisions -1h0m0s: must not be negative")
	_, err = parseServeArgs([]string{"--keep-decisions", "-1h"}, nil, io.Discard)
	assert.ErrorContains(t, err, "keep_decisions -1h0m0s: must not be negative")
}
