package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/modelrouter/modelrouter/router"
)

// Card is router.json, the router model's card: what the ONNX file's
// outputs mean, how to feed it, how it was trained and how well it did.
type Card struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Created string `json:"created"`
	// Profiles names the M columns of the `quality` and `output_tokens`
	// outputs, in order.
	Profiles []string `json:"profiles"`
	// Spec is the architecture's shape (see training/arch).
	Spec ModelSpec `json:"spec"`
	// Truncation says which tokens of a long prompt the model reads: the
	// first Head and the last Tail (MaxLen = Head + Tail).
	Truncation Truncation `json:"truncation"`
	// Bands are the Balanced and Cost quality bands chosen by calibration.
	Bands    router.Bands    `json:"bands"`
	Training []TrainingData  `json:"training_data"`
	Metrics  json.RawMessage `json:"metrics,omitempty"`
	// SHA256 holds the hex SHA-256 of router.onnx and tokenizer.json;
	// ContentHash is the SHA-256 of both files' hashes, the model's identity.
	SHA256      map[string]string `json:"sha256"`
	ContentHash string            `json:"content_hash"`
	// AddedProfiles are profiles added after training (`modelrouter
	// add-profile`), oldest first; their columns are the last ones.
	AddedProfiles []AddedProfile `json:"added_profiles,omitempty"`
}

// AddedProfile says how a profile was added to a trained router model: one
// new quality and length column fitted on the model's fixed prompt
// representation from a dataset model's labels.
type AddedProfile struct {
	Profile  string   `json:"profile"`
	Model    string   `json:"model"` // the dataset model whose labels taught it
	Datasets []string `json:"datasets"`
	Labels   int      `json:"labels"`  // labelled answers (prompts)
	Lengths  int      `json:"lengths"` // of them with an answer length
	// BaseContentHash is the model the profile was added to.
	BaseContentHash string `json:"base_content_hash"`
	// AnchorProfiles are existing profiles labelled in the same data;
	// AnchorShift (logits) moves the data's scale onto the model's, and is
	// subtracted from the new column's bias. 0 when nothing anchors it.
	AnchorProfiles []string `json:"anchor_profiles,omitempty"`
	AnchorLabels   int      `json:"anchor_labels"`
	AnchorShift    float64  `json:"anchor_shift"`
	// LengthFactor scales the fitted (median-like) answer length to the
	// mean of its answers; 1 with fewer than 30 lengths.
	LengthFactor float64 `json:"length_factor"`
	// Validation measures a column fitted without a share of the prompts
	// on those prompts, on the data's own scale; nil when none was held out.
	Validation *AddedValidation `json:"validation,omitempty"`
}

// AddedValidation is an added profile measured on held-out prompts.
type AddedValidation struct {
	Prompts int `json:"prompts"`
	// BCE of the new column next to ConstantBCE, always predicting the
	// mean score of the prompts it was fitted on.
	BCE         float64 `json:"bce"`
	ConstantBCE float64 `json:"constant_bce"`
	// AUC ranks the held-out prompts (scores >= 0.5 count as good); null
	// when they are all good or all bad.
	AUC           *float64 `json:"auc"`
	MeanPredicted float64  `json:"mean_predicted"`
	MeanTrue      float64  `json:"mean_true"`
}

// ModelSpec mirrors training/arch.Spec.
type ModelSpec struct {
	Vocab    int `json:"vocab"`
	Buckets  int `json:"buckets"`
	Dim      int `json:"dim"`
	Hidden   int `json:"hidden"`
	Z        int `json:"z"`
	Profiles int `json:"profiles"`
	MaxLen   int `json:"max_len"`
	// Pool is how token and pair rows are pooled: "" (mean) or
	// "mean+max"; the ONNX file carries it too.
	Pool string `json:"pool,omitempty"`
}

// Truncation is the head/tail split of the model's window.
type Truncation struct {
	Head int `json:"head"`
	Tail int `json:"tail"`
}

// TrainingData names one dataset the model was trained on.
type TrainingData struct {
	Name    string `json:"name"`
	Licence string `json:"licence"`
	Items   int    `json:"items"`
	// Labels counts quality and length labels apart: a rated answer with
	// its length is two (export-feedback's "480 labels" read 960 here).
	Labels int `json:"labels"`
}

// ParseCard reads router.json.
func ParseCard(b []byte) (Card, error) {
	var c Card
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("router.json: %w", err)
	}
	if len(c.Profiles) == 0 {
		return c, fmt.Errorf("router.json: no profiles")
	}
	seen := make(map[string]bool, len(c.Profiles))
	for i, p := range c.Profiles {
		if p == "" || seen[p] {
			// Predictions are keyed by name: a second column under one
			// name would silently replace the first.
			return c, fmt.Errorf("router.json: profile %d is %q, empty or named twice", i, p)
		}
		seen[p] = true
	}
	return c, nil
}

// ContentHash computes the identity of a router model from its files.
func ContentHash(onnx, tokenizer []byte) (onnxHash, tokHash, content string) {
	a := sha256.Sum256(onnx)
	b := sha256.Sum256(tokenizer)
	onnxHash, tokHash = hex.EncodeToString(a[:]), hex.EncodeToString(b[:])
	c := sha256.Sum256([]byte(onnxHash + tokHash))
	return onnxHash, tokHash, hex.EncodeToString(c[:])
}

// Verify checks that the files match the card's hashes. The error names
// the file that differs, where the card's per-file hashes tell, and what
// makes a folder whole: a mismatch is almost always files of two router
// models copied into one folder.
func (c Card) Verify(onnx, tokenizer []byte) error {
	onnxHash, tokHash, content := ContentHash(onnx, tokenizer)
	if content == c.ContentHash {
		return nil
	}
	var changed []string
	for _, f := range []struct{ name, got string }{{RouterONNXFile, onnxHash}, {TokenizerJSONFile, tokHash}} {
		if want, ok := c.SHA256[f.name]; ok && want != f.got {
			changed = append(changed, f.name)
		}
	}
	what := RouterONNXFile + " and " + TokenizerJSONFile + " do not match " + RouterJSONFile
	switch len(changed) {
	case 1:
		what = changed[0] + " is not the file " + RouterJSONFile + " describes"
	case 2:
		what = RouterONNXFile + " and " + TokenizerJSONFile + " are not the files " + RouterJSONFile + " describes"
	}
	return fmt.Errorf("%s (content hash %s, card says %s): copy %s, %s and %s of one router model (one train or add-profile --out) together",
		what, content, c.ContentHash, RouterONNXFile, TokenizerJSONFile, RouterJSONFile)
}
