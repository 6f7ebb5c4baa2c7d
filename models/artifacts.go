package models

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// The directory, not the three files, is embedded so the package compiles
// before `make train` has produced them; PROVENANCE.md keeps it non-empty.
//
//go:embed artifacts
var artifactsFS embed.FS

// Artifact file names inside models/artifacts/.
const (
	RouterONNXFile    = "router.onnx"
	TokenizerJSONFile = "tokenizer.json"
	RouterJSONFile    = "router.json"
	ProvenanceFile    = "PROVENANCE.md"
)

// ArtifactFiles are the trained router model's files, as bytes. (The type
// cannot share the name of the Artifacts function.)
type ArtifactFiles struct {
	// RouterONNX is the ONNX graph (see DESIGN.md for its inputs and outputs).
	RouterONNX []byte
	// TokenizerJSON is a Hugging Face tokenizer file.
	TokenizerJSON []byte
	// RouterJSON is the model card: profiles in output order, sequence
	// length, mode bands, data, metrics, content hash.
	RouterJSON []byte
	// Provenance is PROVENANCE.md, how the model was made, where the folder
	// has one: not part of the model (nor of its content hash), but what a
	// tool that extends the model must carry on.
	Provenance []byte
}

// Artifacts returns the router model embedded in the binary. It fails with a
// message naming the missing files when training has not produced them.
func Artifacts() (ArtifactFiles, error) {
	sub, err := fs.Sub(artifactsFS, "artifacts")
	if err != nil {
		return ArtifactFiles{}, err
	}
	a, err := LoadArtifacts(sub)
	if err != nil {
		return ArtifactFiles{}, fmt.Errorf("embedded router model: %w (run `make train`, which writes models/artifacts/, then rebuild)", err)
	}
	return a, nil
}

// LoadArtifacts reads the three artifact files from the root of fsys (for
// example os.DirFS of a training output folder).
func LoadArtifacts(fsys fs.FS) (ArtifactFiles, error) {
	// A mistyped --router-model read "router model files missing" for all
	// three, which sent one looking for the files rather than the folder;
	// one naming a file (router.onnx itself) read "open router.onnx: not
	// a directory", as if the model were faulty.
	switch info, err := fs.Stat(fsys, "."); {
	case errors.Is(err, fs.ErrNotExist):
		return ArtifactFiles{}, errors.New("no such folder")
	case errors.Is(err, syscall.ENOTDIR), err == nil && !info.IsDir():
		return ArtifactFiles{}, fmt.Errorf("not a folder: name the folder that holds %s, %s and %s", RouterONNXFile, TokenizerJSONFile, RouterJSONFile)
	}
	var a ArtifactFiles
	var missing []string
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{
		{RouterONNXFile, &a.RouterONNX},
		{TokenizerJSONFile, &a.TokenizerJSON},
		{RouterJSONFile, &a.RouterJSON},
	} {
		b, err := fs.ReadFile(fsys, f.name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, f.name)
			continue
		case err != nil:
			return ArtifactFiles{}, fmt.Errorf("read %s: %w", f.name, err)
		case len(b) == 0:
			return ArtifactFiles{}, fmt.Errorf("%s is empty", f.name)
		}
		*f.dst = b
	}
	if len(missing) > 0 {
		return ArtifactFiles{}, fmt.Errorf("router model files missing: %v", missing)
	}
	// Optional documentation, not part of the model: one that cannot be
	// read (missing, a folder) must not stop the model from loading.
	if b, err := fs.ReadFile(fsys, ProvenanceFile); err == nil {
		a.Provenance = b
	}
	return a, nil
}
