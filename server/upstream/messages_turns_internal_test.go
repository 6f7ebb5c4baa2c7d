package upstream

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// decodedTurns is how MessagesToChat read the messages before
// messagesTurns: encoding/json into the turns, through decodeRequest.
func decodedTurns(raw []byte) ([]messagesTurn, error) {
	var req struct {
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := decodeRequest(raw, &req, "Messages"); err != nil {
		return nil, err
	}
	var turns []messagesTurn
	for _, t := range req.Messages {
		turns = append(turns, messagesTurn{Role: t.Role, Content: t.Content})
	}
	return turns, nil
}

// messagesTurns reads a body's turns as encoding/json did, and refuses
// what it refused with the same error.
func TestMessagesTurnsReadAsEncodingJSONDid(t *testing.T) {
	for _, body := range []string{
		upstreamtest.AgentMessages(3),
		upstreamtest.ShortTurnsMessages(5),
		`{"messages":[{"role":"user","content":"a"},null,{"role":null,"content":null},{"content":[{"type":"text","text":"b"}]}]}`,
		`{"messages":[{"role":"us\u0065r","content":"x","role":"assistant"}, {"role":"user","content" : [ 1 , 2 ] }]}`,
		`{"messages":[]}`, `{"messages":null}`, `{"max_tokens":5}`,
		// refused
		`{"messages":{"role":"user"}}`, `{"messages":"hi"}`, `{"messages":[1]}`, `{"messages":["user"]}`,
		`{"messages":[{"role":1,"content":"x"}]}`, `{"messages":[{"role":["user"]}]}`,
	} {
		want, wantErr := decodedTurns([]byte(body))
		got, err := messagesTurns([]byte(body))
		if wantErr != nil {
			require.Error(t, err, body)
			require.Equal(t, router.ErrorMessage(wantErr), router.ErrorMessage(err), body)
			var we, ge *router.Error
			require.ErrorAs(t, wantErr, &we)
			require.ErrorAs(t, err, &ge)
			require.Equal(t, we.Param, ge.Param, body)
			continue
		}
		require.NoError(t, err, body)
		require.Len(t, got, len(want), body)
		for i := range want {
			require.Equal(t, want[i].Role, got[i].Role, "%s turn %d", body, i)
			require.Equal(t, string(want[i].Content), string(got[i].Content), "%s turn %d", body, i)
		}
	}
}
