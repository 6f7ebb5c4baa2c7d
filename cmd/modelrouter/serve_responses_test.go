package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// Claude answers a Responses conversation; serve keeps each answer in its
// SQLite file, so previous_response_id continues it, also after a restart
// (when the in-memory session affinity is gone) and until --keep-responses
// has passed.
func TestServeContinuesClaudeResponsesAcrossARestart(t *testing.T) {
	oa, an := upstreamtest.NewOpenAI(t), upstreamtest.NewAnthropic(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	start := func() (*controlsServer, context.CancelFunc, <-chan error) {
		base, stop, done := startServe(t, oa, db, func(o *serveOptions) {
			o.environ = controlsEnviron(oa, an)
			o.predictor = controlsPredictor(t)
			o.keepResponses = time.Hour
		})
		return &controlsServer{base: base, openai: oa, anthropic: an}, stop, done
	}
	s, stop, done := start()
	res, _ := s.call(t, "PUT", "/deployments/sonnet",
		`{"sku":{"name":"GlobalStandard","capacity":10},"properties":{"model":`+refSonnet+`}}`,
		"Authorization", "Bearer "+controlsAdminKey)
	require.Equal(t, http.StatusCreated, res.StatusCode)

	ask := func(s *controlsServer, prev, text string, opts ...option.RequestOption) *responses.Response {
		t.Helper()
		c := openai.NewClient(append([]option.RequestOption{option.WithBaseURL(s.base + "/v1/"), option.WithAPIKey("loopback"),
			option.WithMaxRetries(0)}, opts...)...)
		p := responses.ResponseNewParams{Model: "model-router",
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(text)}}
		if prev != "" {
			p.PreviousResponseID = openai.String(prev)
		}
		r, err := c.Responses.New(context.Background(), p)
		require.NoError(t, err)
		return r
	}
	first := ask(s, "", "Name a river.", option.WithJSONSet("routing_config", map[string]any{"models": []string{sonnetName}}))
	require.Equal(t, sonnet45, first.Model)
	second := ask(s, first.ID, "Another one?")
	require.Equal(t, sonnet45, second.Model, "the conversation stays on Sonnet: Balanced alone would pick "+gpt41Mini)

	stop()
	require.NoError(t, <-done)
	s, stop, done = start()
	stopped := false
	defer func() {
		if !stopped {
			stop()
			<-done
		}
	}()
	third := ask(s, second.ID, "And a third?")
	require.Equal(t, sonnet45, third.Model, "after a restart the kept conversation still names its model")
	reqs := an.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, []string{"user: Name a river.", "assistant: Hello from " + sonnet45 + ".",
		"user: Another one?", "assistant: Hello from " + sonnet45 + ".", "user: And a third?"},
		anthropicMessages(t, reqs[2].Body))

	// Read once serve has stopped: an answer goes out before its row is
	// written, and serve writes the rows still being written before it
	// closes the file.
	stop()
	err := <-done
	stopped = true
	require.NoError(t, err)
	sdb, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sdb.Close()
	var kept []string
	rows, err := sdb.Query(`SELECT id || ' after ' || previous_id || ' by ' || model FROM responses ORDER BY ts_ms`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		kept = append(kept, k)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{
		first.ID + " after  by " + sonnet45,
		second.ID + " after " + first.ID + " by " + sonnet45,
		third.ID + " after " + second.ID + " by " + sonnet45,
	}, kept)
}

// anthropicMessages is each message of an Anthropic request as "role: text".
func anthropicMessages(t *testing.T, body []byte) []string {
	t.Helper()
	var sent struct {
		Messages []struct {
			Role    string `json:"role"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(body, &sent))
	var out []string
	for _, m := range sent.Messages {
		text := ""
		for _, c := range m.Content {
			text += c.Text
		}
		out = append(out, m.Role+": "+text)
	}
	return out
}

// serve deletes kept responses older than --keep-responses when it starts
// (and every hour after).
func TestServePrunesKeptResponses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	st, err := store.Open(db)
	require.NoError(t, err)
	turn := func(id string, at time.Time) store.Response {
		return store.Response{ID: id, Model: sonnet45, Input: json.RawMessage(`[]`), Output: json.RawMessage(`[]`), Time: at}
	}
	require.NoError(t, st.PutResponse(context.Background(), turn("resp_old", time.Now().Add(-3*time.Hour))))
	require.NoError(t, st.PutResponse(context.Background(), turn("resp_new", time.Now())))
	require.NoError(t, st.Close())

	_, stop, done := startServe(t, upstreamtest.NewOpenAI(t), db, func(o *serveOptions) { o.keepResponses = 2 * time.Hour })
	defer func() { stop(); <-done }()
	waitForIDs(t, db, `SELECT group_concat(id) FROM responses`, "resp_new", "the old answer is deleted, the new one kept")
}

// waitForIDs waits until query, a group_concat of ids over the database
// file db that a running serve prunes, gives want.
func waitForIDs(t *testing.T, db, query, want, msg string) {
	t.Helper()
	sdb, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sdb.Close()
	require.Eventually(t, func() bool {
		var ids string
		err := sdb.QueryRow(query).Scan(&ids)
		return err == nil && ids == want
	}, 5*time.Second, 10*time.Millisecond, msg)
}

// An answer OpenAI stores is read by its id after a restart, and its
// continuation still goes to the model that wrote it: the decision log in
// the SQLite file names it, and the key it belongs to.
func TestServeFindsStoredAnswersAcrossARestart(t *testing.T) {
	oa, an := upstreamtest.NewOpenAI(t), upstreamtest.NewAnthropic(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	st, err := store.Open(db)
	require.NoError(t, err)
	mine, mineKey, err := st.CreateKey(context.Background(), "mine")
	require.NoError(t, err)
	theirs, _, err := st.CreateKey(context.Background(), "theirs")
	require.NoError(t, err)
	require.NoError(t, st.Close())
	var base string
	start := func() (openai.Client, context.CancelFunc, <-chan error) {
		var stop context.CancelFunc
		var done <-chan error
		base, stop, done = startServe(t, oa, db, func(o *serveOptions) {
			o.environ = controlsEnviron(oa, an)
			o.predictor = controlsPredictor(t)
			o.requireKeys = true
		})
		return openai.NewClient(option.WithBaseURL(base+"/v1/"), option.WithAPIKey(mine), option.WithMaxRetries(0)), stop, done
	}
	ctx := context.Background()
	c, stop, done := start()
	first, err := c.Responses.New(ctx, responses.ResponseNewParams{Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Name a river.")}},
		option.WithJSONSet("routing_config", map[string]any{"models": []string{gpt41}}))
	require.NoError(t, err)
	require.Equal(t, gpt41, first.Model)
	stop()
	require.NoError(t, <-done)

	c, stop, done = start()
	defer func() { stop(); <-done }()
	got, err := c.Responses.Get(ctx, first.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	assert.Equal(t, first.ID, got.ID)
	assert.Equal(t, gpt41, got.Model)
	assert.Equal(t, first.OutputText(), got.OutputText())

	next, err := c.Responses.New(ctx, responses.ResponseNewParams{Model: "model-router",
		PreviousResponseID: openai.String(first.ID),
		Input:              responses.ResponseNewParamsInputUnion{OfString: openai.String("And its length?")}})
	require.NoError(t, err)
	assert.Equal(t, gpt41, next.Model, "Balanced alone would pick "+gpt41Mini)

	other := openai.NewClient(option.WithBaseURL(base+"/v1/"), option.WithAPIKey(theirs), option.WithMaxRetries(0))
	_, err = other.Responses.Get(ctx, first.ID, responses.ResponseGetParams{})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode, "another key's answer is unknown to it")
	assert.Error(t, other.Responses.Delete(ctx, first.ID))
	assert.True(t, oa.Stored(first.ID))

	require.NoError(t, c.Responses.Delete(ctx, first.ID))
	assert.False(t, oa.Stored(first.ID))

	sdb, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sdb.Close()
	var keyID string
	require.NoError(t, sdb.QueryRow(`SELECT key_id FROM decisions WHERE response_id = ?`, first.ID).Scan(&keyID))
	assert.Equal(t, mineKey.ID, keyID)
}
