package manage_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// "model-router" is the name every client calls by default, so only a
// router may be stored under it: a Claude model deployment there is refused,
// and the built-in default keeps answering.
func TestModelDeploymentUnderTheDefaultNameIsRefused(t *testing.T) {
	e := newEnv(t, adminKey)
	w := e.do(http.MethodPut, "/deployments/model-router", claudeDeployment)
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	assert.Equal(t, "InvalidResourceName", decodeErr(t, w).Error.Code)

	dep, err := e.source.Get(context.Background(), "model-router")
	require.NoError(t, err)
	assert.NotEmpty(t, dep.Models)
}
