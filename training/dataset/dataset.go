// Package dataset reads routing datasets: a folder with models.json (prices
// per model) and items.jsonl (one prompt per line with every labelled
// model's score and answer length). The decision log with feedback can be
// turned into the same shape, so trainers see one kind of input.
package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/jsontype"
)

// Canonical returns the profile name of a dataset model id
// (models.ProfileName): the trainer names a profile as the gateway looks
// it up.
func Canonical(id string) string { return models.ProfileName(id) }

// Price is a model's USD price per million tokens.
type Price struct {
	Input  float64 `json:"input_usd_per_mtok"`
	Output float64 `json:"output_usd_per_mtok"`
	Source string  `json:"price_source"`
	Ref    string  `json:"price_ref"`
}

// Result is one model's outcome on one prompt. Score is nil where the
// source has lengths only; OutputTokens nil where it has no answers.
type Result struct {
	Score        *float64 `json:"score"`
	OutputTokens *float64 `json:"output_tokens"`
	CostUSD      *float64 `json:"cost_usd,omitempty"`
}

// Message is one turn of a multi-turn item.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Item is one prompt with its labels.
type Item struct {
	ID          string            `json:"id"`
	Source      string            `json:"source"`
	Task        string            `json:"task"`
	Prompt      string            `json:"prompt"`
	Messages    []Message         `json:"messages,omitempty"`
	InputTokens int               `json:"input_tokens"`
	Results     map[string]Result `json:"results"`
	Split       string            `json:"split,omitempty"`
	Origin      string            `json:"origin,omitempty"`
	Cluster     string            `json:"cluster,omitempty"`
}

// Dataset is one routing dataset.
type Dataset struct {
	// Name is the folder name; it keys the per-dataset score offset, since
	// scores of different datasets are not on one scale.
	Name   string
	Dir    string
	Models map[string]Price
	// priceGaps holds, for each models.json entry that lacks a number in
	// input_usd_per_mtok or output_usd_per_mtok, the fields it has: such an
	// entry decodes as a price of $0 (see priceFieldsMissing).
	priceGaps map[string][]string
	Items     []Item
}

// Load reads a dataset folder and refuses a line whose values break the
// format (Item.check), naming the file, the line and the id.
func Load(dir string) (*Dataset, error) {
	d := &Dataset{Name: NameOf(dir), Dir: dir}
	raw, err := os.ReadFile(filepath.Join(dir, "models.json"))
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", dir, err)
	}
	var mj struct {
		Models map[string]Price `json:"models"`
	}
	if err := json.Unmarshal(TrimBOM(raw), &mj); err != nil {
		return nil, fmt.Errorf("dataset %s: models.json: %w", dir, err)
	}
	if mj.Models == nil {
		// A price table without the "models" wrapper (a flat map of model
		// ids, as other tools write one) decoded as no entry at all, and
		// every candidate was then said to have no price.
		var top map[string]json.RawMessage
		keys := ""
		if json.Unmarshal(TrimBOM(raw), &top) == nil && len(top) > 0 {
			keys = " (its top-level keys: " + strings.Join(slices.Sorted(maps.Keys(top)), ", ") + ")"
		}
		return nil, fmt.Errorf(`dataset %s: models.json has no "models" object%s: the format wants {"models": {"<model id>": {"input_usd_per_mtok": ..., "output_usd_per_mtok": ...}}}`, dir, keys)
	}
	d.Models = mj.Models
	var fields struct {
		Models map[string]map[string]json.RawMessage `json:"models"`
	}
	if json.Unmarshal(TrimBOM(raw), &fields) == nil {
		for m, f := range fields.Models {
			if isNumber(f["input_usd_per_mtok"]) && isNumber(f["output_usd_per_mtok"]) {
				continue
			}
			if d.priceGaps == nil {
				d.priceGaps = map[string][]string{}
			}
			d.priceGaps[m] = slices.Sorted(maps.Keys(f))
		}
	}
	f, err := os.Open(filepath.Join(dir, "items.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", dir, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	// Ids join eval's predictions.jsonl back to the data: one per prompt.
	idLine := map[string]int{}
	for line := 1; sc.Scan(); line++ {
		text := sc.Bytes()
		if line == 1 {
			text = TrimBOM(text)
		}
		// A line of spaces is as blank as an empty one.
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		var it Item
		if err := json.Unmarshal(text, &it); err != nil {
			return nil, fmt.Errorf("dataset %s: items.jsonl line %d: %w", dir, line, lineError(err))
		}
		if err := it.check(); err != nil {
			return nil, fmt.Errorf("dataset %s: items.jsonl line %d (id %q): %w", dir, line, it.ID, err)
		}
		if first, ok := idLine[it.ID]; ok {
			return nil, fmt.Errorf("dataset %s: items.jsonl line %d: id %q is already the id of line %d; every prompt needs an id of its own", dir, line, it.ID, first)
		}
		idLine[it.ID] = line
		d.Items = append(d.Items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dataset %s: items.jsonl: %w", dir, err)
	}
	return d, nil
}

// lineError words a value of the wrong JSON type by its field, as the
// format names it: exports from elsewhere write numeric ids and messages
// with content parts, and encoding/json names this package's Go types
// ("Go struct field Item.id of type string").
func lineError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("%q is %s: the format wants %s", te.Field, jsontype.Value(te.Value), jsontype.Name(te.Type))
	}
	return err
}

// utf8BOM is the byte order mark that editors and spreadsheets saving
// "UTF-8 with BOM" put at a file's start.
var utf8BOM = []byte("\ufeff")

// TrimBOM returns b without a leading UTF-8 byte order mark. The files a
// user edits by hand (models.json, items.jsonl, a leaderboard CSV) may
// start with one; encoding/json and encoding/csv read it as a character
// of the first value ("invalid character 'ï'").
func TrimBOM(b []byte) []byte { return bytes.TrimPrefix(b, utf8BOM) }

// NameOf is the name of the dataset in folder dir: the folder's own name,
// also where dir is "." or ".." (a command run from inside the folder),
// which would otherwise name it "." and, as that is no licensed name,
// refuse a licensed dataset and record the wrong name in router.json.
func NameOf(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Base(filepath.Clean(dir))
}

// Text is what the router model reads for an item: for a multi-turn item,
// what the gateway would read of the conversation ([router.PromptText]: the
// last user turn with a little context), else the prompt. Training and eval
// read the same text the gateway routes on.
func (it Item) Text() string {
	if len(it.Messages) == 0 {
		return it.Prompt
	}
	turns := make([]router.Turn, len(it.Messages))
	for i, m := range it.Messages {
		turns[i] = router.Turn{Role: m.Role, Text: m.Content}
	}
	if s := router.PromptText(turns); s != "" {
		return s
	}
	return it.Prompt
}

// isNumber reports whether raw is a JSON number (not null, a string or
// absent).
func isNumber(raw json.RawMessage) bool {
	var f float64
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] != '"' && !bytes.Equal(t, []byte("null")) && json.Unmarshal(t, &f) == nil
}

// priceFieldsMissing says why model's models.json entry gives no price, or
// "" when it gives both: an entry without input_usd_per_mtok and
// output_usd_per_mtok as numbers (prices per token under LiteLLM's names,
// a typo) decodes as $0, which would make the model free in every cost
// eval reports and in the band choice of train ([Dataset.PriceOf]).
func (d *Dataset) priceFieldsMissing(model string) string {
	f, ok := d.priceGaps[model]
	if !ok {
		return ""
	}
	has := "no fields"
	if len(f) > 0 {
		has = "only " + strings.Join(f, ", ")
	}
	return fmt.Sprintf("its entry in models.json has %s: the format wants input_usd_per_mtok and output_usd_per_mtok, USD per million tokens (a price per token times 1,000,000; 0 for a model that costs nothing)", has)
}
