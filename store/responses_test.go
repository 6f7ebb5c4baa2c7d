package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

func keptTurn(id, prev, user, answer string, at time.Time) store.Response {
	return store.Response{
		ID: id, PreviousID: prev, Model: "claude-haiku-4-5",
		Input:  json.RawMessage(`[{"role":"user","content":"` + user + `"}]`),
		Output: json.RawMessage(`[{"role":"assistant","content":"` + answer + `"}]`),
		Time:   at,
	}
}

func TestResponseChainReturnsTheConversationOldestFirst(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	t0 := sampleTime
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_1", "", "hi", "hello", t0)))
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_2", "resp_1", "and then?", "then this", t0.Add(time.Second))))
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_3", "resp_2", "thanks", "welcome", t0.Add(2*time.Second))))
	// A branch from the first turn does not show up in the main line.
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_b", "resp_1", "other", "branch", t0.Add(3*time.Second))))

	chain, err := s.ResponseChain(ctx, "resp_3", 0)
	require.NoError(t, err)
	require.Len(t, chain, 3)
	assert.Equal(t, []string{"resp_1", "resp_2", "resp_3"}, []string{chain[0].ID, chain[1].ID, chain[2].ID})
	assert.Equal(t, keptTurn("resp_2", "resp_1", "and then?", "then this", t0.Add(time.Second)), chain[1])

	branch, err := s.ResponseChain(ctx, "resp_b", 0)
	require.NoError(t, err)
	require.Len(t, branch, 2)
	assert.Equal(t, "resp_1", branch[0].ID)
	assert.Equal(t, "resp_b", branch[1].ID)

	none, err := s.ResponseChain(ctx, "resp_unknown", 0)
	require.NoError(t, err)
	assert.Empty(t, none, "an id the gateway does not keep is not an error: a provider may store it")
}

// A conversation bigger than the caller's limit is refused, read no
// further than the limit.
func TestResponseChainStopsAtItsByteLimit(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_1", "", "hi", "hello", sampleTime)))
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_2", "resp_1", strings.Repeat("x", 500), "ok", sampleTime.Add(time.Second))))
	one, err := s.ResponseChain(ctx, "resp_1", 0)
	require.NoError(t, err)
	size := int64(len(one[0].Input) + len(one[0].Output))

	chain, err := s.ResponseChain(ctx, "resp_1", size)
	require.NoError(t, err, "exactly at the limit")
	assert.Len(t, chain, 1)
	_, err = s.ResponseChain(ctx, "resp_2", size+400)
	assert.Equal(t, router.ETooLarge, router.ErrorCode(err))
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "previous_response_id", re.Param)
	chain, err = s.ResponseChain(ctx, "resp_2", 0)
	require.NoError(t, err, "0: no limit")
	assert.Len(t, chain, 2)
}

func TestResponsesSurviveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.PutResponse(context.Background(), keptTurn("resp_1", "", "hi", "hello", sampleTime)))
	require.NoError(t, s.Close())

	s, err = store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	chain, err := s.ResponseChain(context.Background(), "resp_1", 0)
	require.NoError(t, err)
	require.Len(t, chain, 1)
	assert.JSONEq(t, `[{"role":"assistant","content":"hello"}]`, string(chain[0].Output))
}

// Expiry counts from a conversation's last turn: a conversation still
// growing keeps its first turns, an abandoned branch goes, in batches.
func TestPruneResponsesKeepsConversationsInUse(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	t0 := sampleTime
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_1", "", "hi", "hello", t0)))
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_abandoned", "resp_1", "no", "ok", t0.Add(time.Minute))))
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_2", "resp_1", "more", "sure", t0.Add(48*time.Hour))))
	for i := range 1200 {
		require.NoError(t, s.PutResponse(ctx, keptTurn(fmt.Sprintf("resp_old_%d", i), "", "x", "y", t0)))
	}

	n, err := s.PruneResponses(ctx, t0.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, int64(1201), n, "the old one-turn conversations (more than two batches) and the abandoned branch")
	chain, err := s.ResponseChain(ctx, "resp_2", 0)
	require.NoError(t, err)
	require.Len(t, chain, 2, "the first turn stays: its conversation grew a day later")
	gone, err := s.ResponseChain(ctx, "resp_abandoned", 0)
	require.NoError(t, err)
	assert.Empty(t, gone)

	// A chain cut by hand (sqlite3) says which response is gone.
	_, err = s.DB().Exec(`DELETE FROM responses WHERE id = 'resp_1'`)
	require.NoError(t, err)
	_, err = s.ResponseChain(ctx, "resp_2", 0)
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, router.EInvalid, re.Code)
	assert.Equal(t, router.PreviousResponseNotFound, re.Reason, "OpenAI's code for an answer gone, which clients read to send the whole conversation")
	assert.Equal(t, "previous_response_id", re.Param)
	assert.Contains(t, re.Message, "resp_1")
}

// A conversation may chain 10,000 responses; a longer one is refused.
func TestResponseChainLimit(t *testing.T) {
	s := MustOpen(t)
	tx, err := s.DB().Begin()
	require.NoError(t, err)
	for i := range 10_001 {
		prev := ""
		if i > 0 {
			prev = fmt.Sprintf("r%d", i-1)
		}
		_, err := tx.Exec(`INSERT INTO responses (id, previous_id, model, input, output, ts, ts_ms, used_ms)
			VALUES (?, ?, 'm', '[]', '[]', '2026-11-26T00:00:00.000000000Z', 0, 0)`, fmt.Sprintf("r%d", i), prev)
		require.NoError(t, err)
	}
	require.NoError(t, tx.Commit())

	chain, err := s.ResponseChain(context.Background(), "r9999", 0)
	require.NoError(t, err)
	assert.Len(t, chain, 10_000)
	_, err = s.ResponseChain(context.Background(), "r10000", 0)
	require.ErrorContains(t, err, "longer than 10000 responses")
}

func TestPutResponseRefusesWhatCannotBeReplayed(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	for name, r := range map[string]store.Response{
		"no id":           {Input: json.RawMessage(`[]`), Output: json.RawMessage(`[]`)},
		"input not array": {ID: "resp_x", Input: json.RawMessage(`{"a":1}`), Output: json.RawMessage(`[]`)},
		"output not JSON": {ID: "resp_x", Input: json.RawMessage(`[]`), Output: json.RawMessage(`[{`)},
		"output missing":  {ID: "resp_x", Input: json.RawMessage(`[]`)},
	} {
		assert.Error(t, s.PutResponse(ctx, r), name)
	}
	chain, err := s.ResponseChain(ctx, "resp_x", 0)
	require.NoError(t, err)
	assert.Empty(t, chain)

	// A provider that repeats an answer id must not turn a conversation
	// into a loop or overwrite another one.
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_same", "", "hi", "hello", sampleTime)))
	assert.Error(t, s.PutResponse(ctx, keptTurn("resp_same", "resp_same", "again", "hello again", sampleTime)))
	chain, err = s.ResponseChain(ctx, "resp_same", 0)
	require.NoError(t, err)
	require.Len(t, chain, 1)
	assert.JSONEq(t, `[{"role":"assistant","content":"hello"}]`, string(chain[0].Output))
}

// BenchmarkResponseChain reads back conversations of 10 and 100 kept
// turns (about 1 KB each), what a continuation waits for before routing.
func BenchmarkResponseChain(b *testing.B) {
	for _, turns := range []int{10, 100} {
		b.Run(fmt.Sprintf("turns=%d", turns), func(b *testing.B) {
			s := MustOpen(b)
			ctx := context.Background()
			text := strings.Repeat("word ", 100)
			prev := ""
			for i := range turns {
				id := fmt.Sprintf("resp_%d", i)
				require.NoError(b, s.PutResponse(ctx, keptTurn(id, prev, text, text, sampleTime)))
				prev = id
			}
			b.ReportAllocs()
			for b.Loop() {
				chain, err := s.ResponseChain(ctx, prev, 0)
				if err != nil || len(chain) != turns {
					b.Fatalf("chain of %d, err %v", len(chain), err)
				}
			}
		})
	}
}
