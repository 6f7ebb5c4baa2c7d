package manage_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

func withTags(body, tags string) string {
	return strings.Replace(body, `{"sku"`, `{"tags": `+tags+`, "sku"`, 1)
}

// Azure's deployments have top-level resource tags, which Terraform, Bicep
// and az write: the gateway keeps them with the deployment and answers
// them in GET, list and PUT, and refuses tags Azure would not take.
func TestADeploymentsTagsAreKeptAndAnswered(t *testing.T) {
	e := newEnv(t, adminKey)
	const account = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments"
	w := e.do(http.MethodPut, account+"/tagged?api-version=2024-10-01", withTags(defaultDeployment, `{"team": "search", "cost-center": "cc-42"}`))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"tags":{"cost-center":"cc-42","team":"search"}`)
	for _, path := range []string{"/deployments/tagged", account + "/tagged", "/deployments"} {
		w = e.do(http.MethodGet, path, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Contains(t, w.Body.String(), `"tags":{"cost-center":"cc-42","team":"search"}`, path)
	}

	// A PUT replaces the whole deployment: one without tags clears them.
	e.mustPut("tagged", defaultDeployment)
	w = e.do(http.MethodGet, "/deployments/tagged", "")
	assert.NotContains(t, w.Body.String(), "tags")

	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf(`"t%d": "v"`, i)
	}
	for _, bad := range []struct{ tags, param, says string }{
		{`{"team": 7}`, "tags", "tags must be an object, each value a string, not a number"},
		{`["team"]`, "tags", "tags must be an object"},
		{"{" + strings.Join(many, ", ") + "}", "tags", "at most 50"},
		{`{"team": "` + strings.Repeat("x", 257) + `"}`, "tags.team", "at most 256"},
		{`{"` + strings.Repeat("n", 513) + `": "v"}`, "tags", "at most 512"},
		// ARM reads tag names in any case as one tag.
		{`{"team": "search", "Team": "ads"}`, "tags", `"Team" and "team" differ only in case`},
	} {
		w = e.do(http.MethodPut, "/deployments/tagged", withTags(defaultDeployment, bad.tags))
		require.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", bad.says, w.Body.String())
		got := decodeErr(t, w)
		assert.Equal(t, manage.CodeInvalidBody, got.Error.Code)
		require.NotNil(t, got.Error.Param, w.Body.String())
		assert.Equal(t, bad.param, *got.Error.Param)
		assert.Contains(t, got.Error.Message, bad.says)
	}
	w = e.do(http.MethodGet, "/deployments/tagged", "")
	assert.NotContains(t, w.Body.String(), "tags", "a refused PUT changed nothing")
}

// ARM refuses a tag name holding any of < > % & \ ? /: such a tag is
// refused here too, naming the tag and the character, while a value may
// hold them and a name other punctuation.
func TestATagNameWithACharacterAzureRefusesIsRefused(t *testing.T) {
	e := newEnv(t, adminKey)
	for _, c := range []string{"<", ">", "%", "&", `\`, "?", "/"} {
		name := "cost" + c + "center"
		tags, err := json.Marshal(map[string]string{name: "cc-42"})
		require.NoError(t, err)
		w := e.do(http.MethodPut, "/deployments/tagged", withTags(defaultDeployment, string(tags)))
		require.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", name, w.Body.String())
		got := decodeErr(t, w)
		assert.Equal(t, manage.CodeInvalidBody, got.Error.Code)
		require.NotNil(t, got.Error.Param, w.Body.String())
		assert.Equal(t, "tags", *got.Error.Param)
		assert.Contains(t, got.Error.Message, fmt.Sprintf("%q", name), "names the tag")
		assert.Contains(t, got.Error.Message, "contains '"+c+"'", "names the character")
	}
	assert.Equal(t, http.StatusNotFound, e.do(http.MethodGet, "/deployments/tagged", "").Code, "nothing was deployed")

	w := e.do(http.MethodPut, "/deployments/tagged", withTags(defaultDeployment, `{"team:search.eu-west_1 a@b=c+d": "a/b?c&d<e>f%g\\h"}`))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"team:search.eu-west_1 a@b=c+d"`)
}
