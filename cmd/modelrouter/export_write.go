package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modelrouter/modelrouter/training/dataset"
)

// endItem writes the item whose rows add has read, if any, to the
// temporary items.jsonl, and counts its labels and the prices its models
// need.
func (e *feedbackExport) endItem() error {
	it := e.current
	if it == nil {
		return nil
	}
	e.current, e.currentKey = nil, ""
	it.item.Results = map[string]dataset.Result{}
	for _, id := range it.order {
		s := it.sums[id]
		score := s.score / float64(s.n)
		res := dataset.Result{Score: &score}
		if s.nLengths > 0 { // else no length label: the dataset's nil
			tokens := s.tokens / float64(s.nLengths)
			res.OutputTokens = &tokens
		}
		it.item.Results[id] = res
		// A kept price is written as the user wrote it.
		if _, kept := e.keptEntries[id]; !kept {
			if p, ok := e.price(id); ok {
				e.prices[id] = p
			} else {
				e.unpriced[id] = true
			}
		}
	}
	if err := e.openItems(); err != nil {
		return err
	}
	e.items++
	e.labels += len(it.order)
	return e.itemsEnc.Encode(it.item)
}

// openItems creates the temporary items.jsonl beside its place (and the
// folder), once: an export with no item creates nothing.
func (e *feedbackExport) openItems() error {
	if e.itemsFile != nil {
		return nil
	}
	if _, err := os.Stat(e.dir); errors.Is(err, fs.ErrNotExist) {
		e.madeDir = true
	}
	if err := os.MkdirAll(e.dir, 0o755); err != nil {
		return err
	}
	f, err := createOwnerOnlyTemp(e.tmpPath("items.jsonl")) // it holds prompt text
	if err != nil {
		return err
	}
	e.itemsFile, e.itemsBuf = f, bufio.NewWriterSize(f, 64<<10)
	e.itemsEnc = json.NewEncoder(e.itemsBuf)
	return nil
}

func (e *feedbackExport) tmpPath(name string) string { return filepath.Join(e.dir, "."+name+".tmp") }

// finish lays the dataset out as dataset.Load reads it: the items written
// so far, models.json and README.md, each beside its place and renamed
// into it once all are written, so a failed export leaves the previous one
// as it was (and no temporary files).
func (e *feedbackExport) finish(dbPath string) (err error) {
	defer func() {
		if err != nil {
			e.discard()
		}
	}()
	if err := e.endItem(); err != nil {
		return err
	}
	if err := e.openItems(); err != nil {
		return err
	}
	if err := e.itemsBuf.Flush(); err != nil {
		return err
	}
	err = e.itemsFile.Close()
	e.itemsFile = nil
	if err != nil {
		return err
	}
	// Prices added by hand stay, whether or not their model answered
	// this time: a later export may need them again.
	prices := map[string]any{}
	for id, entry := range e.keptEntries {
		prices[id] = entry
	}
	for id, p := range e.prices {
		prices[id] = p
	}
	mj, err := json.MarshalIndent(map[string]any{"models": prices}, "", "  ")
	if err != nil {
		return err
	}
	readme := fmt.Sprintf(`# %s`+dataset.OwnTrafficHeader+`

Exported by `+"`modelrouter export-feedback`"+` from %s: %s, %s.

- One item per deployment and distinct prompt text; `+"`task`"+` is the deployment.
- `+"`results`"+` maps the catalog ID of each model that answered to `+"`score`"+`, the mean
  client feedback in [0, 1] (POST /v1/feedback), and `+"`output_tokens`"+`, the mean visible
  completion tokens of one answer, as the provider reported them (a call that asked for n
  answers gives each its share, where the log kept n: a row logged before migration 0011
  counts as one answer; absent where it reported none: the gateway's estimates are not
  labels). A background job that failed or was cancelled gave no answer: its rating is left
  out (a row logged before migration 0011 did not keep how its job ended).
- Prices are the catalog's. A model outside this build's catalog has no entry in `+"`models.json`"+`:
  add its price there before training on its labels (train refuses an unpriced model); a later
  export into this folder keeps it.

Licence: your own traffic. The trainer reads this folder as your own data, which it trains
on without `+"`--allow-unlicensed`"+` (that flag would also add the research-only datasets of
a folder such as ../shared/data/canonical).
`, e.name, dbPath, counted(e.items, "prompt", "prompts"), counted(e.labels, "label", "labels"))
	for name, data := range map[string][]byte{"models.json": append(mj, '\n'), "README.md": []byte(readme)} {
		if err := os.WriteFile(e.tmpPath(name), data, 0o644); err != nil {
			return err
		}
	}
	for _, name := range exportFiles {
		if err := keepModeOf(filepath.Join(e.dir, name), e.tmpPath(name)); err != nil {
			return err
		}
		if err := os.Rename(e.tmpPath(name), filepath.Join(e.dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// discard removes what a failed export wrote: its temporary files, and
// the folder where the export made it.
func (e *feedbackExport) discard() {
	if e.itemsFile != nil {
		_ = e.itemsFile.Close()
		e.itemsFile = nil
	}
	for _, name := range exportFiles {
		_ = os.Remove(e.tmpPath(name))
	}
	if e.madeDir {
		_ = os.Remove(e.dir) // only if empty
	}
}

// price is a model's catalog price. A model outside this build's catalog
// (a log kept from a release whose catalog had it) has none unless one was
// added by hand (kept): it is left out of models.json rather than priced
// at $0, at which train would make it the cheapest candidate of every band
// sweep; train then refuses its labels until its price is added (see
// unpriced).
func (e *feedbackExport) price(id string) (dataset.Price, bool) {
	m, ok := e.byID[id]
	if !ok {
		p, kept := e.kept[id]
		return p, kept
	}
	return dataset.Price{Input: m.InputPerMTok, Output: m.OutputPerMTok, Source: "modelrouter catalog", Ref: m.ID}, true
}
