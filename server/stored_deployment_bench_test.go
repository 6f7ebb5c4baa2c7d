package server

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/store"
)

// BenchmarkGatewayHandlerStoredDeployment is BenchmarkGatewayHandler's chat
// call as `modelrouter serve` looks its deployment up: from the deployments
// stored in SQLite (manage.Source), with a monthly budget on the caller,
// held and let go on every call. stored names a deployment an admin PUT;
// default is model-router, the built-in one the Source answers when none is
// stored under that name. What BenchmarkGatewayHandler leaves out (it uses
// a static deployment list and no budget) shows here.
func BenchmarkGatewayHandlerStoredDeployment(b *testing.B) {
	cat, err := models.Catalog()
	require.NoError(b, err)
	st, err := store.Open(filepath.Join(b.TempDir(), "deployments.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	_, err = st.PutDeployment(context.Background(), "bench", []byte(`{"sku":{"name":"GlobalStandard","capacity":1000000},`+
		`"properties":{"model":{"format":"OpenAI","name":"model-router","version":`+strconv.Quote(cat.Latest)+`}}}`))
	require.NoError(b, err)
	h := benchGateway(b, func(c *Config) {
		c.Deployments = manage.NewSource(st, cat)
		c.Budgets = budget.New(capSource{usd: 1e9}, nil)
	})
	const conversation = `"messages":[{"role":"system","content":"You are a helpful assistant."},` +
		`{"role":"user","content":"Explain in two sentences why the sky is blue."}]}`
	for _, d := range []struct{ label, name string }{{"stored", "bench"}, {"default", "model-router"}} {
		benchServe(b, h, d.label, "/v1/chat/completions", `{"model":"`+d.name+`",`+conversation, func(w *httptest.ResponseRecorder) {
			require.Contains(b, w.Body.String(), `"model_selection_details"`)
		})
	}
}
