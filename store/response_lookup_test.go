package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"

	_ "github.com/mattn/go-sqlite3"
)

func TestKeptResponseReadsBackTheAnswerAsTheClientGotIt(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	turn := keptTurn("resp_1", "", "hi", "hello", sampleTime)
	turn.Body = json.RawMessage(`{"id":"resp_1","object":"response","status":"completed","model":"claude-haiku-4-5"}`)
	turn.KeyID = "key_1"
	require.NoError(t, s.PutResponse(ctx, turn))

	got, ok, err := s.KeptResponse(ctx, "resp_1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, turn, got)

	_, ok, err = s.KeptResponse(ctx, "resp_other")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestKeptResponsesReadsBackTheKeptAmongManyIDs(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	one := keptTurn("resp_1", "", "hi", "hello", sampleTime)
	one.Body = json.RawMessage(`{"id":"resp_1","object":"response","status":"completed","model":"claude-haiku-4-5"}`)
	one.KeyID = "key_1"
	two := keptTurn("resp_2", "resp_1", "and?", "more", sampleTime.Add(time.Second))
	require.NoError(t, s.PutResponse(ctx, one))
	require.NoError(t, s.PutResponse(ctx, two))

	got, err := s.KeptResponses(ctx, []string{"resp_gone", "resp_2", "resp_1", "resp_2", ""})
	require.NoError(t, err)
	// Their callers read only the answers: the input is not read.
	one.Input, two.Input = nil, nil
	assert.Equal(t, map[string]store.Response{"resp_1": one, "resp_2": two}, got,
		"each kept answer as KeptResponse reads it, less its input; ids not kept are absent")

	got, err = s.KeptResponses(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestDeleteResponseBreaksTheConversationsThatContinuedIt(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_1", "", "hi", "hello", sampleTime)))
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_2", "resp_1", "and?", "more", sampleTime.Add(time.Second))))

	deleted, err := s.DeleteResponse(ctx, "resp_1")
	require.NoError(t, err)
	assert.True(t, deleted)
	deleted, err = s.DeleteResponse(ctx, "resp_1")
	require.NoError(t, err)
	assert.False(t, deleted, "a second delete finds nothing")

	_, ok, err := s.KeptResponse(ctx, "resp_1")
	require.NoError(t, err)
	assert.False(t, ok)
	_, err = s.ResponseChain(ctx, "resp_2", 0)
	require.Error(t, err, "the continuation lost its first turn")
	assert.Contains(t, err.Error(), `response "resp_1" is gone`)
}

func TestAnsweredByFindsTheModelFromTheDecisionLog(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	answered := sampleRecord(requestID(1), sampleTime)
	answered.API, answered.Answered, answered.ResponseID, answered.KeyID = "responses", "gpt-4.1-2025-04-14", "resp_abc", "key_1"
	chat := sampleRecord(requestID(2), sampleTime.Add(time.Second))
	chat.Answered = "claude-haiku-4-5" // no response id: a chat completion
	failed := sampleRecord(requestID(3), sampleTime.Add(2*time.Second))
	failed.Answered, failed.ResponseID = "", "resp_none"
	next := sampleRecord(requestID(4), sampleTime.Add(3*time.Second))
	next.API, next.Answered, next.ResponseID, next.PreviousResponseID = "responses", "gpt-4.1-2025-04-14", "resp_next", "resp_abc"
	logged(t, s, answered, chat, failed, next)

	got, err := s.AnsweredBy(ctx, "resp_abc")
	require.NoError(t, err)
	assert.Equal(t, store.Answer{Model: "gpt-4.1-2025-04-14", KeyID: "key_1"}, got, "a first turn continues nothing")
	got, err = s.AnsweredBy(ctx, "resp_next")
	require.NoError(t, err)
	assert.Equal(t, store.Answer{Model: "gpt-4.1-2025-04-14", PreviousResponseID: "resp_abc"}, got,
		"a continuation names the answer it continued")
	for _, id := range []string{"resp_unknown", "", "resp_none"} {
		got, err = s.AnsweredBy(ctx, id)
		require.NoError(t, err)
		assert.Zero(t, got, "id %q", id)
	}

	rows, err := s.Decisions(ctx, store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, rows, 4)
	assert.Equal(t, "resp_abc", rows[0].ResponseID, "the id reads back with its decision")
	assert.Equal(t, "key_1", rows[0].KeyID)
	assert.Empty(t, rows[0].PreviousResponseID)
	assert.Equal(t, "resp_abc", rows[3].PreviousResponseID, "what it continued reads back with its decision")
}

// A database written before response ids (0003) or key ids (0004) were
// logged opens, and its rows read as having none.
func TestResponseIDsMigrateAnOlderDatabase(t *testing.T) {
	for _, applied := range [][]string{
		{"0001_init.sql", "0002_responses.sql"},
		{"0001_init.sql", "0002_responses.sql", "0003_response_ids.sql"},
	} {
		t.Run(applied[len(applied)-1], func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			raw, err := sql.Open("sqlite3", path)
			require.NoError(t, err)
			_, err = raw.Exec(`CREATE TABLE migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)`)
			require.NoError(t, err)
			for _, name := range applied {
				body, err := os.ReadFile(filepath.Join("migrations", name))
				require.NoError(t, err)
				_, err = raw.Exec(string(body))
				require.NoError(t, err)
				_, err = raw.Exec(`INSERT INTO migrations (name, applied) VALUES (?, '2026-11-01T00:00:00.000Z')`, name)
				require.NoError(t, err)
			}
			_, err = raw.Exec(`INSERT INTO responses (id, previous_id, model, input, output, ts, ts_ms, used_ms)
				VALUES ('resp_old', '', 'claude-haiku-4-5', '[]', '[]', '2026-11-01T00:00:00.000Z', 0, 0)`)
			require.NoError(t, err)
			require.NoError(t, raw.Close())

			s, err := store.Open(path)
			require.NoError(t, err)
			defer s.Close()
			old, ok, err := s.KeptResponse(context.Background(), "resp_old")
			require.NoError(t, err)
			require.True(t, ok)
			assert.Nil(t, old.Body, "kept before the answer itself was stored")
			assert.Empty(t, old.KeyID, "kept before answers had owners")
			r := sampleRecord(requestID(1), sampleTime)
			r.ResponseID, r.Answered, r.KeyID = "resp_new", "gpt-4.1-2025-04-14", "key_1"
			logged(t, s, r)
			got, err := s.AnsweredBy(context.Background(), "resp_new")
			require.NoError(t, err)
			assert.Equal(t, store.Answer{Model: "gpt-4.1-2025-04-14", KeyID: "key_1"}, got)
		})
	}
}

// BenchmarkAnsweredBy looks an answer up among 100,000 logged decisions,
// what a read by id or a continuation costs once the answer has left the
// gateway's memory (after a restart).
func BenchmarkAnsweredBy(b *testing.B) {
	s := MustOpen(b)
	const n = 100_000
	rows := make([]router.Record, n)
	for i := range rows {
		r := sampleRecord(requestID(i), sampleTime.Add(time.Duration(i)*time.Millisecond))
		r.API, r.Answered, r.ResponseID = "responses", "gpt-4.1-2025-04-14", fmt.Sprintf("resp_%048d", i)
		rows[i] = r
	}
	logged(b, s, rows...)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("resp_%048d", (i*7919)%n)
		i++
		if a, err := s.AnsweredBy(ctx, id); err != nil || a.Model == "" {
			b.Fatalf("%s: %q, %v", id, a.Model, err)
		}
	}
}
