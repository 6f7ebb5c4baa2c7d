package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// exportLog is the start most export-feedback tests share: a model of this
// build's catalog to answer their calls, and a fresh, empty decision log
// opened at db. The test records its rows, rates them and closes s before it
// runs export-feedback on db.
func exportLog(t *testing.T) (model router.Model, s *store.Store, db string) {
	t.Helper()
	cat, err := models.Catalog()
	require.NoError(t, err)
	model = cat.Versions[len(cat.Versions)-1].Models[0]
	db = filepath.Join(t.TempDir(), "modelrouter.db")
	s, err = store.Open(db)
	require.NoError(t, err)
	return model, s, db
}
