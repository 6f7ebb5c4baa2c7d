package main

import (
	"errors"
	"io/fs"
	"os"
)

// createOwnerOnlyTemp creates path for writing, readable and writable by its
// owner only (0600, whatever the umask), for an output that holds prompt
// text, as the database it came from is (store.Open). path is a temporary
// file renamed onto its place (see keepModeOf): one left there by a run
// stopped short is replaced, not reused with whatever mode it had.
func createOwnerOnlyTemp(path string) (*os.File, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

// keepModeOf gives tmp the mode of the file at dest, where there is one,
// before tmp is renamed onto it: a rename replaces the file, and with it
// the mode its owner set (a group let read an export to train as another
// account).
func keepModeOf(dest, tmp string) error {
	info, err := os.Stat(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.Chmod(tmp, info.Mode().Perm())
}
