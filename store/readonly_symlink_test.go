package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// SQLite keeps the -wal file beside the file a link points to, not beside
// the link. A reader given the link (data/modelrouter.db -> /srv/...) while
// a server holds the database must still share the server's locks and see
// what it commits, as a reader given the file's own path does.
func TestOpenForReadingThroughALinkSeesWhatARunningServerCommits(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "real", "m.db")
	s := mustOpenPath(t, path)
	_, _, err := s.CreateKey(context.Background(), "first")
	require.NoError(t, err)
	require.FileExists(t, path+"-wal", "the server keeps its -wal file beside the file")
	link := filepath.Join(dir, "m.db")
	require.NoError(t, os.Symlink(path, link))

	r, err := store.OpenForReading(link)
	require.NoError(t, err)
	defer r.Close()
	keys, err := r.ListKeys(context.Background())
	require.NoError(t, err)
	require.Len(t, keys, 1)

	_, _, err = s.CreateKey(context.Background(), "second")
	require.NoError(t, err)
	keys, err = r.ListKeys(context.Background())
	require.NoError(t, err)
	assert.Len(t, keys, 2, "the reader through the link reads the file alone, as if no server held it")
}
