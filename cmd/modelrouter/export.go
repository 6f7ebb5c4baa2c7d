package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
	"github.com/modelrouter/modelrouter/training/dataset"
)

func init() {
	register(command{name: "export-feedback", summary: "write the decision log's rated answers as a routing dataset for `train --data`", run: runExportFeedback})
}

const exportUsage = `usage: modelrouter export-feedback --out DIR [--db PATH]

Writes every answered request that has feedback (POST /v1/feedback) as a
routing dataset in the canonical format (models.json, items.jsonl,
README.md): one item per deployment and distinct prompt, one result per
model that answered it, score = the mean feedback score. Prompts are only
in the log when serve runs with --keep-prompts; rated rows without their
text are counted and skipped. Train on it with
  modelrouter train --data ../shared/data/canonical --data DIR`

func runExportFeedback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export-feedback", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, exportUsage)
		fs.PrintDefaults()
	}
	dbPath := fs.String("db", defaultDBPath, "the router's SQLite database")
	out := fs.String("out", "", "dataset folder to write (required; its name is the dataset's name)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return usagef("export-feedback: --out is required")
	}
	name, err := exportTarget(*out)
	if err != nil {
		return fmt.Errorf("export-feedback: %w", err)
	}
	previous, lacking, err := previousPrices(*out)
	if err != nil {
		return fmt.Errorf("export-feedback: %w", err)
	}
	st, err := openStoreForReading(*dbPath)
	if err != nil {
		return fmt.Errorf("export-feedback: %w", err)
	}
	defer st.Close()
	cat, err := models.Catalog()
	if err != nil {
		return err
	}
	ex := newFeedbackExport(name, cat, *out)
	edited := ex.keep(previous)
	// The rows of one prompt come together (ByPrompt), so each item is
	// written once its last row is read: memory holds one prompt's rows,
	// not every rated prompt of the log.
	err = st.EachDecision(ctx, store.DecisionFilter{Answered: true, WithFeedback: true, ByPrompt: true}, ex.add)
	if err == nil {
		err = ex.endItem()
	}
	if err != nil {
		ex.discard()
		return fmt.Errorf("export-feedback: %w", err)
	}
	if ex.items == 0 {
		ex.discard()
		msg := fmt.Sprintf("export-feedback: %s, none with its prompt text: nothing written", counted(ex.rated, "rated answer", "rated answers"))
		if ex.noText > 0 {
			msg += " (run serve with --keep-prompts to keep the text)"
		}
		if ex.cutShort > 0 {
			msg += fmt.Sprintf(" (%d of them a background job that failed or was cancelled: no answer)", ex.cutShort)
		}
		return errors.New(msg)
	}
	if err := ex.finish(*dbPath); err != nil {
		return fmt.Errorf("export-feedback: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %s with %s written to %s", counted(ex.rated, "rated answer", "rated answers"),
		counted(ex.items, "prompt", "prompts"), counted(ex.labels, "label", "labels"), *out)
	if ex.noText > 0 {
		fmt.Fprintf(stdout, "; %d skipped without prompt text (run serve with --keep-prompts to keep it)", ex.noText)
	}
	if ex.nothingRead > 0 {
		fmt.Fprintf(stdout, "; %d skipped with no text to read (the call sent none, such as an image alone)", ex.nothingRead)
	}
	if ex.estimated > 0 {
		their := "their"
		if ex.estimated == 1 {
			their = "its"
		}
		fmt.Fprintf(stdout, "; %d scored without a length, %s usage estimated", ex.estimated, their)
	}
	if ex.cutShort > 0 {
		their := "their background jobs"
		if ex.cutShort == 1 {
			their = "its background job"
		}
		fmt.Fprintf(stdout, "; %d skipped, %s failed or cancelled (no answer)", ex.cutShort, their)
	}
	fmt.Fprintln(stdout)
	modelsJSON := filepath.Join(*out, "models.json")
	for _, id := range slices.Sorted(maps.Keys(ex.kept)) {
		fmt.Fprintf(stdout, "kept the price of %s from the existing %s (not in this build's catalog)\n", id, modelsJSON)
	}
	for _, id := range edited {
		fmt.Fprintf(stderr, "export-feedback: note: %s is in this build's catalog: %s gives it the catalog's price, not the one edited in the existing file\n", id, modelsJSON)
	}
	for _, id := range slices.Sorted(maps.Keys(ex.unpriced)) {
		entry := ""
		if lacking[id] {
			entry = fmt.Sprintf(" (its entry in %s has no input_usd_per_mtok/output_usd_per_mtok numbers)", modelsJSON)
		}
		fmt.Fprintf(stderr, "export-feedback: warning: %s is not in this build's catalog, so models.json gives it no price and train refuses its labels%s: add its price to %s (input_usd_per_mtok, output_usd_per_mtok under \"models\")\n",
			id, entry, modelsJSON)
	}
	return nil
}

// feedbackExport groups rated answers by deployment and prompt text, and
// writes each group's item to dir as soon as its rows are read: add takes
// the rows of one prompt together, as EachDecision's ByPrompt gives them.
type feedbackExport struct {
	name, dir string
	byID      map[string]router.Model
	// keptEntries are the entries, as the user wrote them (every field),
	// of the kept prices, which are written back.
	keptEntries map[string]json.RawMessage
	// kept are prices of models outside the catalog, added by hand to the
	// models.json of an earlier export into the same folder.
	kept map[string]dataset.Price
	// current is the item whose rows are being read, under currentKey.
	current    *exportItem
	currentKey string
	// itemsFile is the temporary items.jsonl, opened with the first item.
	itemsFile *os.File
	itemsBuf  *bufio.Writer
	itemsEnc  *json.Encoder
	madeDir   bool
	// prices are the catalog prices of the models that answered; unpriced
	// those that have none (see price).
	prices   map[string]dataset.Price
	unpriced map[string]bool
	items    int
	labels   int
	rated    int
	noText   int
	// nothingRead counts rated answers to calls with no text to read (an
	// image alone, a thread continued with no new message): with or
	// without --keep-prompts there is no prompt to label.
	nothingRead int
	// estimated counts rated answers whose length was the gateway's
	// estimate (usage_estimated): their score is a label, their length not.
	estimated int
	// cutShort counts rated background jobs that failed or were
	// cancelled (ended_status): no answer, so neither label.
	cutShort int
}

type exportItem struct {
	item  dataset.Item
	sums  map[string]*labelSum
	order []string
	// inputReported: item.InputTokens is a provider's count, not the
	// gateway's estimate, which a later reported row replaces.
	inputReported bool
}

// labelSum averages a model's ratings and answer lengths on one prompt
// (several clients may rate answers to the same prompt). Lengths count only
// answers whose provider reported them: nLengths of the n rows' answers
// (a row of a call that asked for several, Chat's n, counts each).
type labelSum struct {
	score, tokens float64
	n, nLengths   int
}

func newFeedbackExport(name string, cat router.Catalog, dir string) *feedbackExport {
	e := &feedbackExport{name: name, dir: dir, byID: map[string]router.Model{},
		prices: map[string]dataset.Price{}, unpriced: map[string]bool{}}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			e.byID[m.ID] = m
		}
	}
	return e
}

func (e *feedbackExport) add(r store.DecisionRow) error {
	if r.Feedback == nil {
		return nil
	}
	e.rated++
	if r.EndedStatus == "failed" || r.EndedStatus == "cancelled" {
		// Rated before a read found the job over (POST /v1/feedback
		// refuses it since): no answer came, so its score rates none and
		// its tokens are where the job stopped, no answer's length.
		e.cutShort++
		return nil
	}
	if strings.TrimSpace(r.PromptText) == "" {
		// The log keeps the hash of the routed text whether or not it
		// keeps the text: the hash of "" says the call had none, the
		// same under every prompt hash key (router.HashPrompt), so the
		// export needs no key.
		if r.PromptText == "" && r.PromptHash != router.EmptyPromptHash {
			e.noText++
		} else {
			e.nothingRead++
		}
		return nil
	}
	// Per deployment: an item's task is the deployment whose answers its
	// ratings are, and a deployment's system prompt (which the router
	// model does not read) shapes them.
	key := r.Deployment + "\x00" + r.PromptText
	if e.current == nil || key != e.currentKey {
		if err := e.endItem(); err != nil {
			return err
		}
		e.current, e.currentKey = &exportItem{sums: map[string]*labelSum{}, item: dataset.Item{
			ID: e.name + "/" + r.RequestID, Source: e.name, Task: r.Deployment,
			Prompt: r.PromptText,
		}}, key
	}
	it := e.current
	// An estimated row's prompt count is the gateway's estimate: good
	// enough for the item's cost until a row with a reported count comes.
	if !it.inputReported && (it.item.InputTokens == 0 || !r.UsageEstimated) {
		it.item.InputTokens, it.inputReported = r.Usage.PromptTokens, !r.UsageEstimated
	}
	s, ok := it.sums[r.Answered]
	if !ok {
		s = &labelSum{}
		it.sums[r.Answered] = s
		it.order = append(it.order, r.Answered)
	}
	s.score += r.Feedback.Score
	s.n++
	if r.UsageEstimated {
		// completion_tokens is the router model's predicted length (or the
		// client's maximum): a label made of it would fit the model to its
		// own guesses.
		e.estimated++
		return nil
	}
	// The dataset's output_tokens count the visible answer; reasoning
	// tokens are billed separately (see the catalog's reasoning_tokens).
	// A call's n answers are billed together: each is one answer's length
	// sample, so the mean is per answer, what the router model predicts.
	s.tokens += float64(max(0, r.Usage.CompletionTokens-r.Usage.ReasoningTokens))
	s.nLengths += max(r.Answers, 1)
	return nil
}

// previousPrices reads the prices in the models.json of an earlier export
// into dir (none where there is no such file). A file it cannot parse is
// an error rather than replaced: it may hold prices added by hand. An
// entry without both input_usd_per_mtok and output_usd_per_mtok as numbers
// (misspelt fields, a {} or null placeholder) holds no price: read as $0 it
// would make its model the cheapest candidate of every band sweep, so it is
// returned in lacking instead, for the unpriced warning to name.
func previousPrices(dir string) (prices map[string]handPrice, lacking map[string]bool, err error) {
	path := filepath.Join(dir, "models.json")
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var mj struct {
		Models map[string]json.RawMessage `json:"models"`
	}
	// An editor may have saved the hand edit with a byte order mark, which
	// train's reader skips too.
	if err := json.Unmarshal(dataset.TrimBOM(raw), &mj); err != nil {
		return nil, nil, fmt.Errorf("%s from an earlier export cannot be read (%v): fix it or remove it, since an export would drop the prices added to it by hand", path, err)
	}
	prices, lacking = map[string]handPrice{}, map[string]bool{}
	for id, entry := range mj.Models {
		var fields struct {
			Input  *float64 `json:"input_usd_per_mtok"`
			Output *float64 `json:"output_usd_per_mtok"`
		}
		var p dataset.Price
		// An entry that is not an object, or whose prices are not numbers,
		// is no price either: the warning says which fields to set.
		if json.Unmarshal(entry, &fields) != nil || fields.Input == nil || fields.Output == nil ||
			json.Unmarshal(entry, &p) != nil {
			lacking[id] = true
			continue
		}
		prices[id] = handPrice{p, entry}
	}
	return prices, lacking, nil
}

// handPrice is a models.json entry of an earlier export: its price, and
// the entry as written, which may have more fields (a note on where the
// price came from, source_model_id).
type handPrice struct {
	price dataset.Price
	entry json.RawMessage
}

// keep takes from an earlier export's prices those of models outside the
// catalog: only the user can have added them. A catalog model takes the
// catalog's price, the one serve routes and bills with; keep returns, sorted,
// the catalog models whose earlier price differs from it (an edit that is
// not kept).
func (e *feedbackExport) keep(previous map[string]handPrice) (edited []string) {
	e.kept, e.keptEntries = map[string]dataset.Price{}, map[string]json.RawMessage{}
	for id, h := range previous {
		p := h.price
		m, ok := e.byID[id]
		if !ok {
			e.kept[id], e.keptEntries[id] = p, h.entry
		} else if p.Input != m.InputPerMTok || p.Output != m.OutputPerMTok {
			edited = append(edited, id)
		}
	}
	slices.Sort(edited)
	return edited
}

// exportFiles are the files an export writes.
var exportFiles = []string{"items.jsonl", "models.json", "README.md"}

// exportTarget checks --out before any work and returns the dataset's name
// (the folder's): a new or empty folder, or a previous export, which is
// replaced; any other folder holds someone's files, which must not be.
func exportTarget(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	name := filepath.Base(abs)
	if name == string(filepath.Separator) || name == "." {
		return "", fmt.Errorf("--out %s: name a dataset folder", dir)
	}
	info, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return name, nil
	case err != nil:
		return "", err
	case !info.IsDir():
		return "", fmt.Errorf("--out %s is a file, not a folder", dir)
	}
	all, err := os.ReadDir(abs)
	if err != nil {
		return "", err
	}
	// A failed export's temporary files are its own to replace.
	entries := slices.DeleteFunc(all, func(e os.DirEntry) bool { return slices.Contains(exportFiles, tmpName(e.Name())) })
	if len(entries) == 0 {
		return name, nil
	}
	// The header of an export's README.md tells a folder a previous export
	// may be written over from one that must not be.
	if !dataset.OwnTraffic(abs) {
		return "", fmt.Errorf("--out %s holds files that are not a previous export: pick a new or empty folder", dir)
	}
	for _, e := range entries {
		if !slices.Contains(exportFiles, e.Name()) {
			return "", fmt.Errorf("--out %s holds %s, which an export does not write: pick a new or empty folder", dir, e.Name())
		}
	}
	return name, nil
}

// tmpName is the real name of an export's temporary file ("" for any
// other name).
func tmpName(name string) string {
	if real, ok := strings.CutSuffix(strings.TrimPrefix(name, "."), ".tmp"); ok && strings.HasPrefix(name, ".") {
		return real
	}
	return ""
}
