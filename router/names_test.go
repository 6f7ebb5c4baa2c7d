package router_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func TestDeploymentNamesMatchInAnyCase(t *testing.T) {
	got, err := router.MatchDeploymentName([]string{"other", "mr"}, "MR")
	require.NoError(t, err)
	assert.Equal(t, "mr", got, "the name kept is the one it was created with")

	_, err = router.MatchDeploymentName([]string{"mr"}, "mr2")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err))
}

// Two names that differ only in case can be in a database written before
// names were compared this way: each is still reached by its own spelling,
// and another spelling is refused rather than given one of them.
func TestTwoNamesDifferingOnlyInCase(t *testing.T) {
	names := []string{"Mr", "mr"}
	for _, name := range names {
		got, err := router.MatchDeploymentName(names, name)
		require.NoError(t, err)
		assert.Equal(t, name, got)
	}
	_, err := router.MatchDeploymentName(names, "MR")
	require.Error(t, err)
	assert.Equal(t, router.EConflict, router.ErrorCode(err))
	assert.Contains(t, err.Error(), `"Mr" and "mr"`)
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.True(t, re.Final, "asking again cannot help")
}

// Only ASCII letters fold, as in SQLite's NOCASE: the Kelvin sign is not a K.
func TestOnlyASCIILettersFold(t *testing.T) {
	assert.Equal(t, "model-router.v2_x", router.FoldName("Model-Router.V2_X"))
	_, err := router.MatchDeploymentName([]string{"k1"}, "\u212a1")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err))
}
