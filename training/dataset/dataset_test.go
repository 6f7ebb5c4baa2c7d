package dataset

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func TestLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "toy")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"),
		[]byte(`{"models": {"a": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 2, "price_source": "litellm"}}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(
		`{"id": "toy/1", "source": "toy", "task": "t", "prompt": "hi", "input_tokens": 1, "results": {"a": {"score": 1.0, "output_tokens": 5}, "b": {"score": null, "output_tokens": null}}}`+"\n"+
			`{"id": "toy/2", "source": "toy", "task": "t", "prompt": "last", "messages": [{"role": "user", "content": "first"}, {"role": "assistant", "content": "x"}, {"role": "user", "content": "last"}], "input_tokens": 3, "results": {}}`+"\n"), 0o644))
	d, err := Load(dir)
	require.NoError(t, err)
	require.Equal(t, "toy", d.Name)
	require.Len(t, d.Items, 2)
	require.Equal(t, 2.0, d.Models["a"].Output)
	require.Equal(t, 1.0, *d.Items[0].Results["a"].Score)
	require.Nil(t, d.Items[0].Results["b"].Score)
	// A multi-turn item is read as the gateway reads the conversation.
	require.Equal(t, "user: first\n\nassistant: x\n\n"+router.LastTurnMark+"last", d.Items[1].Text())
}

func TestLoadReportsBadLine(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"), []byte(`{"models": {}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte("{\n"), 0o644))
	_, err := Load(dir)
	require.ErrorContains(t, err, "line 1")
}

func TestWithTasksKeepsOnlyTheNamedTasks(t *testing.T) {
	d := &Dataset{Name: "mix", Items: []Item{{ID: "1", Task: "mmlu"}, {ID: "2", Task: "gsm8k"}, {ID: "3", Task: "mmlu"}, {ID: "4", Task: "mt-bench"}}}
	assert.Equal(t, []string{"mmlu", "gsm8k", "mt-bench"}, d.Tasks())

	sub, err := d.WithTasks("mmlu", "mt-bench")
	require.NoError(t, err)
	var ids []string
	for _, it := range sub.Items {
		ids = append(ids, it.ID)
	}
	assert.Equal(t, []string{"1", "3", "4"}, ids)
	assert.Equal(t, "mix task mmlu,mt-bench", sub.Name)
	assert.Len(t, d.Items, 4, "the original is unchanged")

	_, err = d.WithTasks("math")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no task "math" (tasks: mmlu, gsm8k, mt-bench)`)
}

// A score outside [0, 1] (a judge's 1-10 scale, a negative) is refused with
// the file, the line, the id, the model and the rule: every reader of the
// format (train, eval, add-profile) goes through Load.
func TestLoadRefusesScoresOutsideTheUnitInterval(t *testing.T) {
	for name, score := range map[string]string{"judge scale": "7", "negative": "-0.5", "just above": "1.0001"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "toy")
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"),
				[]byte(`{"models": {"a": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 2}}}`), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(
				`{"id": "toy/1", "prompt": "hi", "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`+"\n"+
					`{"id": "toy/2", "prompt": "ho", "input_tokens": 1, "results": {"a": {"score": `+score+`, "output_tokens": 5}}}`+"\n"), 0o644))
			_, err := Load(dir)
			require.Error(t, err)
			for _, want := range []string{"items.jsonl line 2", `"toy/2"`, `model "a"`, "score " + score, "outside [0,1]", "(s-1)/9"} {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

// Negative token counts (a negative cost) and an id used twice (eval's
// predictions.jsonl could not be joined back) are refused with the line;
// an empty answer (output_tokens 0, as in the canonical data) is kept.
func TestLoadRefusesNegativeTokenCountsAndRepeatedIDs(t *testing.T) {
	for name, tc := range map[string]struct{ second, want string }{
		"negative input":  {`{"id": "toy/2", "prompt": "ho", "input_tokens": -3, "results": {"a": {"score": 1, "output_tokens": 5}}}`, "input_tokens -3"},
		"negative output": {`{"id": "toy/2", "prompt": "ho", "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": -5}}}`, "output_tokens -5"},
		"repeated id":     {`{"id": "toy/1", "prompt": "ho", "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`, `id "toy/1" is already the id of line 1`},
		"empty answer":    {`{"id": "toy/2", "prompt": "ho", "input_tokens": 1, "results": {"a": {"score": 0, "output_tokens": 0}}}`, ""},
	} {
		t.Run(name, func(t *testing.T) {
			err := loadToyWithSecondLine(t, tc.second)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "items.jsonl line 2")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// An item with no text for the router model (its prompt under another
// column name, or blank) is refused with the line and id: train and eval
// would otherwise read the empty text for it without a word. An item whose
// text is in messages alone is read.
func TestLoadRefusesAnItemWithoutPromptText(t *testing.T) {
	for name, tc := range map[string]struct{ second, want string }{
		"prompt under another name": {`{"id": "toy/2", "question": "ho", "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`, "no prompt text"},
		"blank prompt":              {`{"id": "toy/2", "prompt": " \n", "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`, "no prompt text"},
		"messages alone":            {`{"id": "toy/2", "messages": [{"role": "user", "content": "ho"}], "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`, ""},
	} {
		t.Run(name, func(t *testing.T) {
			err := loadToyWithSecondLine(t, tc.second)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range []string{"items.jsonl line 2", `(id "toy/2")`, tc.want, `"prompt"`} {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

// An item without an id is refused with its line: eval joins
// predictions.jsonl back to the data by id and draws the knn and
// fitted-profile folds from it, so a dataset without ids put every prompt
// in one fold and knn, fitted on none, chose one model for all.
func TestLoadRefusesAnItemWithoutAnID(t *testing.T) {
	for name, second := range map[string]string{
		"no id":    `{"prompt": "ho", "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`,
		"blank id": `{"id": " ", "prompt": "ho", "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			err := loadToyWithSecondLine(t, second)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "items.jsonl line 2")
			assert.Contains(t, err.Error(), `no "id"`)
		})
	}
}

// loadToyWithSecondLine loads a dataset of one valid item followed by the
// line second, so an error names line 2.
func loadToyWithSecondLine(t *testing.T, second string) error {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "toy")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"),
		[]byte(`{"models": {"a": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 2}}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(
		`{"id": "toy/1", "prompt": "hi", "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`+"\n"+second+"\n"), 0o644))
	_, err := Load(dir)
	return err
}

// A value of the wrong JSON type, as exports from elsewhere write them (a
// numeric id, a message's content as parts), is refused with the field,
// what it holds and what the format wants, not with Go's "cannot unmarshal
// number into Go struct field Item.id of type string".
func TestLoadNamesAFieldOfTheWrongType(t *testing.T) {
	for name, tc := range map[string]struct{ second, want string }{
		"numeric id": {`{"id": 2, "prompt": "ho", "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`,
			`items.jsonl line 2: "id" is a number: the format wants a string`},
		"content parts": {`{"id": "toy/2", "messages": [{"role": "user", "content": [{"type": "text", "text": "ho"}]}], "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`,
			`items.jsonl line 2: "messages.content" is an array: the format wants a string`},
	} {
		t.Run(name, func(t *testing.T) {
			err := loadToyWithSecondLine(t, tc.second)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "Go struct")
		})
	}
}

// A price table written without the format's "models" wrapper, model ids
// at the top, is named as such rather than read as a table with no entry
// (every model was then said to have no price).
func TestLoadNamesAPriceTableWithoutItsModelsObject(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "flat")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"),
		[]byte(`{"gpt-4-1106-preview": {"input_usd_per_mtok": 10, "output_usd_per_mtok": 30}, "mixtral-8x7b-instruct-v0.1": {"input_usd_per_mtok": 0.6, "output_usd_per_mtok": 0.6}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(
		`{"id": "flat/1", "prompt": "hi", "input_tokens": 1, "results": {"gpt-4-1106-preview": {"score": 1, "output_tokens": 5}}}`+"\n"), 0o644))
	_, err := Load(dir)
	require.Error(t, err)
	assert.ErrorContains(t, err, `models.json has no "models" object`)
	assert.ErrorContains(t, err, "top-level keys: gpt-4-1106-preview, mixtral-8x7b-instruct-v0.1")
	assert.ErrorContains(t, err, `{"models": {"<model id>"`)
}
