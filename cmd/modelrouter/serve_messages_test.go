package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// TestServeMessagesAreRoutedAndLogged runs the wired server with an
// Anthropic SDK client: answers name a catalog model, and each call is one
// decision-log row with api "messages" and its usage.
func TestServeMessagesAreRoutedAndLogged(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, fake, db, nil)
	client := anthropic.NewClient(aoption.WithBaseURL(base), aoption.WithAPIKey("unused-on-loopback"), aoption.WithMaxRetries(0))
	params := anthropic.MessageNewParams{
		Model: "model-router", MaxTokens: 256,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Name three rivers."))},
	}

	msg, err := client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	require.NotEmpty(t, msg.Content)
	answered := string(msg.Model)
	assert.Equal(t, "Hello from "+fake.Requests()[0].Model+".", msg.Content[0].Text,
		"the answer comes from the upstream model the gateway called")

	stream := client.Messages.NewStreaming(context.Background(), params)
	acc := anthropic.Message{}
	for stream.Next() {
		require.NoError(t, acc.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, answered, string(acc.Model), "same prompt, same decision")

	stop()
	requireServeStopped(t, done, 10*time.Second)
	sdb, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sdb.Close()
	rows, err := sdb.Query(`SELECT api, stream, answered, status, completion_tokens FROM decisions ORDER BY ts_ms`)
	require.NoError(t, err)
	defer rows.Close()
	var n int
	for rows.Next() {
		var api, ans string
		var streamed, status, completion int
		require.NoError(t, rows.Scan(&api, &streamed, &ans, &status, &completion))
		assert.Equal(t, "messages", api)
		assert.Equal(t, n, streamed, "the first call plain, the second streamed")
		assert.Equal(t, answered, ans)
		assert.Equal(t, 200, status)
		assert.Positive(t, completion)
		n++
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, 2, n)
}
