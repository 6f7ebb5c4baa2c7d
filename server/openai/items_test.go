package openai_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/openai"
)

const keptInput = `[{"role":"user","content":"first"},{"type":"function_call_output","call_id":"c1","output":"42"},{"id":"msg_own","role":"assistant","content":"said"},{"role":"user","content":[{"type":"input_text","text":"last"}]}]`

type page struct {
	Data    []map[string]any `json:"data"`
	FirstID *string          `json:"first_id"`
	LastID  *string          `json:"last_id"`
	HasMore bool             `json:"has_more"`
	Object  string           `json:"object"`
}

func list(t *testing.T, q openai.ItemQuery) page {
	t.Helper()
	raw, err := openai.InputItemList(json.RawMessage(keptInput), "resp_1", q)
	require.NoError(t, err)
	var p page
	require.NoError(t, json.Unmarshal(raw, &p))
	return p
}

func ids(p page) []string {
	var out []string
	for _, it := range p.Data {
		out = append(out, it["id"].(string))
	}
	return out
}

func TestInputItemListShowsItemsAsOpenAIListsThem(t *testing.T) {
	q, err := openai.ParseItemQuery("", "", "")
	require.NoError(t, err)
	p := list(t, q)
	assert.Equal(t, "list", p.Object)
	assert.Equal(t, []string{"item_resp_1_3", "msg_own", "item_resp_1_1", "item_resp_1_0"}, ids(p), "newest first by default; own ids kept")
	assert.Equal(t, "item_resp_1_3", *p.FirstID)
	assert.Equal(t, "item_resp_1_0", *p.LastID)
	assert.False(t, p.HasMore)
	first := p.Data[3]
	assert.Equal(t, "message", first["type"])
	assert.Equal(t, []any{map[string]any{"type": "input_text", "text": "first"}}, first["content"])
	assert.Equal(t, []any{map[string]any{"type": "output_text", "text": "said"}}, p.Data[1]["content"])
	assert.Equal(t, "function_call_output", p.Data[2]["type"])
}

func TestInputItemListPages(t *testing.T) {
	q, err := openai.ParseItemQuery("2", "asc", "")
	require.NoError(t, err)
	p := list(t, q)
	assert.Equal(t, []string{"item_resp_1_0", "item_resp_1_1"}, ids(p))
	assert.True(t, p.HasMore)

	q.After = *p.LastID
	p = list(t, q)
	assert.Equal(t, []string{"msg_own", "item_resp_1_3"}, ids(p))
	assert.False(t, p.HasMore)

	q.After = "item_resp_1_3"
	p = list(t, q)
	assert.Empty(t, p.Data)
	assert.Nil(t, p.FirstID)

	q.After = "nope"
	_, err = openai.InputItemList(json.RawMessage(keptInput), "resp_1", q)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no input item "nope"`)
}

func TestParseItemQueryRefusesWhatOpenAIRefuses(t *testing.T) {
	for _, tc := range []struct{ limit, order, param string }{
		{"0", "", "limit"}, {"101", "", "limit"}, {"ten", "", "limit"}, {"", "newest", "order"},
	} {
		_, err := openai.ParseItemQuery(tc.limit, tc.order, "")
		require.Error(t, err, "%+v", tc)
		assert.Contains(t, err.Error(), tc.param)
	}
}
