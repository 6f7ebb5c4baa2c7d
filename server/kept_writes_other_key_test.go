package server

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A kept answer still being written belongs to its key as it does once
// written: another key's read, delete, continuation or item_reference of
// it is answered at once as for an answer never made (a 404 or
// previous_response_not_found), the same answer it gets once the row is
// written, rather than waiting for the write and then a 503 that would
// tell it that the id exists. The owner's read still waits for the write.
func TestAKeptAnswerStillBeingWrittenIsUnknownToAnotherKeyAtOnce(t *testing.T) {
	const otherKey = "sk-other-team"
	e, st, _ := lockableKept(t, func(c *Config) { c.Keys = keyStore{e2eKey: true, otherKey: true} })
	release := holdWriteLock(t, st)

	status, river := postResponses(t, e, `{"model":"model-router","input":"Name a river.","routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, river)
	id := river["id"].(string)
	itemID := river["output"].([]any)[0].(map[string]any)["id"].(string)

	type answer struct {
		status int
		body   string
	}
	call := func(method, path, body string) answer {
		t.Helper()
		status, _, raw := requestAs(t, e, method, path, otherKey, body, nil)
		return answer{status, string(raw)}
	}
	theirs := func() map[string]answer {
		return map[string]answer{
			"read":        call(http.MethodGet, "/v1/responses/"+id, ""),
			"input_items": call(http.MethodGet, "/v1/responses/"+id+"/input_items", ""),
			"delete":      call(http.MethodDelete, "/v1/responses/"+id, ""),
			"continuation": call(http.MethodPost, "/v1/responses", `{"model":"model-router","previous_response_id":"`+id+
				`","input":"And its length?","routing_config":{"models":["claude"]}}`),
			"item_reference": call(http.MethodPost, "/v1/responses", `{"model":"model-router","routing_config":{"models":["claude"]},"input":[`+
				`{"type":"item_reference","id":"`+itemID+`"},{"role":"user","content":"And its length?"}]}`),
		}
	}

	pending := theirs()
	held, _ := e.srv.KeptAnswers()
	assert.Equal(t, 1, held, "every answer came while the write was still pending")
	for what, a := range pending {
		assert.Contains(t, []int{http.StatusNotFound, http.StatusBadRequest}, a.status, "%s: %s", what, a.body)
	}
	assert.Contains(t, pending["read"].body, "with this key")
	assert.Contains(t, pending["continuation"].body, "previous_response_not_found")

	// The owner's read waits for the write, which the lock's release lets
	// through.
	mine := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, e.url+"/v1/responses/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+e2eKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			mine <- 0
			return
		}
		resp.Body.Close()
		mine <- resp.StatusCode
	}()
	require.Eventually(t, func() bool { return e.srv.keeping.lookupsWaiting() == 1 }, 10*time.Second, time.Millisecond)
	release()
	assert.Equal(t, http.StatusOK, <-mine)
	e.keptWritten(t)

	assert.Equal(t, theirs(), pending, "as once the answer is written")
}
