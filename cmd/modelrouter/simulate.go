package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/modelrouter/modelrouter/training/outdir"
	"github.com/modelrouter/modelrouter/training/progress"
)

func init() {
	register(command{name: "simulate", summary: "route a prompt file through the router without forwarding: model shares and expected cost per mode", run: runSimulate})
}

// routerModel is a loaded router model as simulate needs it.
type routerModel struct {
	predictor router.Predictor
	// profiles are the model's profile names, which decide the catalog
	// models it predicts under their own name (models.OwnProfiles).
	profiles []string
	bands    router.Bands
	version  string
	close    func() error
}

// Seams for tests: the catalog and the router model. The defaults are the
// embedded catalog and the trained model (embedded, or from --router-model).
var (
	simulateCatalog = models.Catalog
	openRouterModel = func(dir string, cuda bool) (routerModel, error) {
		opts := classifier.Options{UseCUDA: cuda}
		var c *classifier.Classifier
		var err error
		if dir != "" {
			c, err = classifier.LoadDir(dir, opts)
		} else {
			c, err = classifier.Load(opts)
		}
		if err != nil {
			return routerModel{}, err
		}
		return routerModel{predictor: c, profiles: c.Card().Profiles, bands: c.Card().Bands, version: c.Version(), close: c.Close}, nil
	}
)

// predictBatch is how many prompts go to the predictor at once: the
// classifier batches them into one ONNX Runtime call.
const predictBatch = 64

type simulateFlags struct {
	prompts, deployment, routerVersion, modes, models, out, routerModel, db string
	limit                                                                   int
	cuda                                                                    bool
}

func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f simulateFlags
	fs.StringVar(&f.prompts, "prompts", "", "prompts: a text file (one per line), a .jsonl file ({\"prompt\": ...} or {\"messages\": [...]} per line, optionally with tools, response_format, max_tokens and n) or a routing dataset folder (items.jsonl)")
	fs.StringVar(&f.deployment, "deployment", "model-router", "deployment to simulate: read from --db (its mode, subset and router version); without --db only the built-in "+manage.DefaultDeployment+" is known")
	fs.StringVar(&f.db, "db", "", "SQLite database of a modelrouter serve to read --deployment from (default: none, the built-in deployment)")
	fs.StringVar(&f.routerVersion, "router-version", "", "router version whose models are candidates (default: the latest)")
	fs.StringVar(&f.modes, "modes", "balanced,quality,cost", "routing modes to compare, comma separated")
	fs.StringVar(&f.models, "models", "", modelsFlagHelp)
	fs.StringVar(&f.out, "out", "", "folder for routing-share.png, summary.json and decisions.csv")
	fs.StringVar(&f.routerModel, "router-model", "", "folder with router.onnx, tokenizer.json and router.json (default: the embedded model)")
	fs.IntVar(&f.limit, "limit", 0, "route only the first N prompts (0: all)")
	fs.BoolVar(&f.cuda, "cuda", false, "run the router model on CUDA when available")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: modelrouter simulate --prompts FILE [--deployment D] [--modes balanced,quality,cost] [--models a,b] [--out DIR]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("simulate: unexpected argument %q", fs.Arg(0))
	}
	if f.prompts == "" {
		fs.Usage()
		return usagef("simulate: --prompts is required")
	}
	modes, err := parseModes(f.modes)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if f.limit < 0 {
		return fmt.Errorf("simulate: --limit %d: want 0 or more", f.limit)
	}
	// Without --db only the built-in deployment exists; a stored one's name
	// given alone would otherwise route as the built-in under its label, so a
	// forgotten --db read as a simulation of that deployment.
	if f.db == "" && f.deployment != manage.DefaultDeployment {
		return usagef("simulate: --deployment %s is read from a serve database: pass --db (without it only the built-in %s exists)", f.deployment, manage.DefaultDeployment)
	}
	if err := checkOutDir(f.out); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if f.out != "" {
		if err := simulationFiles.Check(f.out); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
	}
	prompts, err := readPrompts(f.prompts, f.limit)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}

	// Before the router model loads: a key file serve would refuse ends the
	// run at once.
	providers, err := simulateProviders()
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	catalog, err := simulateCatalog()
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	rm, err := openRouterModel(f.routerModel, f.cuda)
	if err != nil {
		return fmt.Errorf("simulate: router model: %w", err)
	}
	if rm.close != nil {
		defer rm.close()
	}
	catalog, _ = models.OwnProfiles(catalog, rm.profiles)
	dep := router.Deployment{Name: f.deployment, RouterVersion: f.routerVersion, Mode: router.ModeBalanced, Models: upstream.SplitList(f.models)}
	if f.db != "" {
		stored, err := storedDeployment(ctx, f.db, catalog, f.deployment)
		if err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		// Flags given on the command line still win over what is stored.
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		if !set["modes"] {
			modes = []router.Mode{stored.Mode}
		}
		if set["models"] {
			stored.Models = dep.Models
		}
		if set["router-version"] {
			stored.RouterVersion = dep.RouterVersion
		}
		dep = stored
		subset := "the full set"
		if len(dep.Models) > 0 {
			subset = counted(len(dep.Models), "model", "models")
		}
		fmt.Fprintf(stderr, "deployment %s from %s: mode %s, router version %s, %s\n", dep.Name, f.db, dep.Mode, dep.RouterVersion, subset)
	}
	sim, err := simulate(ctx, catalog, rm, dep, providers, modes, prompts, stderr)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if err := writeSimulationTable(stdout, sim); err != nil {
		return err
	}
	if f.out != "" {
		if err := writeSimulationFiles(f.out, sim); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		fmt.Fprintf(stdout, "\nwrote %s\n", strings.Join([]string{
			filepath.Join(f.out, "routing-share.png"), filepath.Join(f.out, "summary.json"), filepath.Join(f.out, "decisions.csv")}, ", "))
	}
	return nil
}

// storedDeployment reads deployment name from a serve database the way the
// gateway does (manage.Source: a stored deployment, or the built-in
// model-router). The file must exist: simulate never creates a database.
func storedDeployment(ctx context.Context, path string, catalog router.Catalog, name string) (router.Deployment, error) {
	st, err := openStoreForReading(path)
	if err != nil {
		return router.Deployment{}, fmt.Errorf("--db: %w", err)
	}
	defer st.Close()
	dep, err := manage.NewSource(st, catalog).Get(ctx, name)
	if err != nil {
		return router.Deployment{}, fmt.Errorf("--deployment %s in %s: %w", name, path, err)
	}
	return dep, nil
}

func parseModes(s string) ([]router.Mode, error) {
	var modes []router.Mode
	for _, name := range upstream.SplitList(s) {
		m, err := router.ParseMode(name)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(modes, m) {
			modes = append(modes, m)
		}
	}
	if len(modes) == 0 {
		return nil, errors.New("--modes names no mode; valid modes: balanced, quality, cost")
	}
	return modes, nil
}

// simPrompt is one prompt as the gateway would route it.
type simPrompt struct {
	where string // file:line, for messages and decisions.csv
	// body is the Chat Completions request the gateway decides.
	body []byte
	// key is the text the gateway's parser makes of body for the router
	// model; text is what the router model reads instead (they differ
	// for an exported conversation, see jsonlBody).
	key, text string
}

// readPrompts reads a text file, a JSONL file or a routing dataset folder.
// Each becomes a Chat Completions body, which the gateway's own handler
// decides (gatewayDecider), so the needs it routes on are a real request's.
func readPrompts(path string, limit int) ([]simPrompt, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	jsonl := strings.HasSuffix(path, ".jsonl") || strings.HasSuffix(path, ".json")
	if info.IsDir() {
		path, jsonl = filepath.Join(path, "items.jsonl"), true
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("prompts: %w (a dataset folder holds items.jsonl)", err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var out []simPrompt
	for line := 1; sc.Scan() && (limit == 0 || len(out) < limit); line++ {
		raw := sc.Bytes()
		if line == 1 {
			raw = dataset.TrimBOM(raw) // a file saved as "UTF-8 with BOM"
		}
		text := strings.TrimSpace(string(raw))
		if text == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d", filepath.Base(path), line)
		var body []byte
		var routed string
		if jsonl {
			if body, routed, err = jsonlBody([]byte(text)); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		} else {
			body, _ = json.Marshal(map[string]any{"model": simDeploymentName, "messages": []map[string]string{{"role": "user", "content": text}}})
		}
		req, err := openai.Parse(openai.Chat, body)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", where, router.ErrorMessage(err))
		}
		out = append(out, simPrompt{where: where, body: body, key: req.Prompt, text: cmp.Or(routed, req.Prompt)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no prompts", path)
	}
	return out, nil
}

// requestFields are the Chat Completions fields a JSONL line may carry
// besides its messages, because they change which models are eligible.
var requestFields = []string{"tools", "tool_choice", "functions", "response_format", "max_tokens", "max_completion_tokens", "n"}

// jsonlBody turns one JSONL line into a Chat Completions body: the line's
// "messages" (chat messages, as routing datasets store multi-turn items)
// or its "prompt" as one user message, plus any of [requestFields].
//
// A "prompt" holding [router.LastTurnMark] is a conversation the gateway
// already routed (export-feedback writes a logged prompt_text so): routed
// is then the text the router model reads of it, as train and eval read
// the item (dataset.Item.Text), for the caller to route on instead of the
// parser's. The parser would take the mark out of the one user message and
// read the whole conversation as a single prompt, cut to another window.
func jsonlBody(line []byte) (body []byte, routed string, err error) {
	var item map[string]json.RawMessage
	if err := json.Unmarshal(line, &item); err != nil || item == nil {
		return nil, "", errors.New(`want a JSON object with "prompt" or "messages"`)
	}
	req := map[string]json.RawMessage{"model": json.RawMessage(strconv.Quote(simDeploymentName))}
	if msgs, ok := item["messages"]; ok && string(msgs) != "null" {
		req["messages"] = msgs
	} else {
		var prompt string
		if err := json.Unmarshal(item["prompt"], &prompt); err != nil || strings.TrimSpace(prompt) == "" {
			return nil, "", errors.New(`want a non-empty "prompt" string or a "messages" array`)
		}
		req["messages"], _ = json.Marshal([]map[string]string{{"role": "user", "content": prompt}})
		if strings.Contains(prompt, router.LastTurnMark) {
			routed = dataset.Item{Prompt: prompt}.Text()
		}
	}
	for _, k := range requestFields {
		if v, ok := item[k]; ok {
			req[k] = v
		}
	}
	body, err = json.Marshal(req)
	return body, routed, err
}

// simulation is the outcome of routing every prompt in every mode.
type simulation struct {
	Deployment    string        `json:"deployment"`
	RouterVersion string        `json:"router_version"`
	RouterModel   string        `json:"router_model"`
	Prompts       int           `json:"prompts"`
	Models        []string      `json:"models"` // the deployment's candidates
	Modes         []modeSummary `json:"modes"`
	decisions     [][]string    // per prompt: where, then the chosen model per mode
}

type modeSummary struct {
	Mode router.Mode `json:"mode"`
	// Routed counts prompts with a decision; Unroutable those every model
	// was excluded for (with the first reason seen).
	Routed     int    `json:"routed"`
	Unroutable int    `json:"unroutable"`
	FirstError string `json:"first_error,omitempty"`
	// ExpectedCostUSD sums the chosen models' expected cost; MeanQuality
	// averages their predicted quality.
	ExpectedCostUSD float64      `json:"expected_cost_usd"`
	MeanQuality     float64      `json:"mean_predicted_quality"`
	Shares          []modelShare `json:"models"`
}

type modelShare struct {
	Model           string  `json:"model"`
	Prompts         int     `json:"prompts"`
	Share           float64 `json:"share"`
	ExpectedCostUSD float64 `json:"expected_cost_usd"`
}

// cachedPredictor answers Decide from predictions made in batches up front,
// so each prompt is predicted once however many modes are compared.
type cachedPredictor map[string]router.Prediction

func (c cachedPredictor) Predict(_ context.Context, prompts []string) ([]router.Prediction, error) {
	out := make([]router.Prediction, len(prompts))
	for i, p := range prompts {
		pred, ok := c[p]
		if !ok {
			return nil, fmt.Errorf("no prediction for prompt %q", p)
		}
		out[i] = pred
	}
	return out, nil
}

func simulate(ctx context.Context, catalog router.Catalog, rm routerModel, dep router.Deployment, providers upstream.Providers, modes []router.Mode,
	prompts []simPrompt, progressTo io.Writer,
) (*simulation, error) {
	cache := cachedPredictor{}
	rt, err := router.New(router.Config{Catalog: catalog, Predictor: cache, Bands: rm.bands})
	if err != nil {
		return nil, err
	}
	ver, ok := rt.Version(dep.RouterVersion)
	if !ok {
		return nil, fmt.Errorf("unknown router version %q", dep.RouterVersion)
	}
	valid := make([]string, len(ver.Models))
	for i, m := range ver.Models {
		valid[i] = m.ID
	}
	// Names resolve as for `deployments put --models`: by ID, or by a
	// catalog name (gpt-4.1), as route and routing_config.models take them.
	only := router.Catalog{Latest: ver.Version, Versions: []router.Version{ver}}
	subset := make([]string, 0, len(dep.Models))
	for _, id := range dep.Models {
		m, err := catalogModel(only, id)
		var several *severalVersionsError
		if errors.As(err, &several) {
			return nil, fmt.Errorf("--models: %w (router version %s)", err, ver.Version)
		}
		if err != nil {
			return nil, fmt.Errorf("--models: %q is not a model of router version %s; valid models: %s",
				id, ver.Version, strings.Join(valid, ", "))
		}
		if !slices.Contains(subset, m.ID) {
			subset = append(subset, m.ID)
		}
	}
	if len(dep.Models) > 0 {
		dep.Models = subset
	}
	candidates, err := rt.Candidates(dep)
	if err != nil {
		return nil, err
	}
	sim := &simulation{Deployment: dep.Name, RouterVersion: ver.Version, RouterModel: rm.version, Prompts: len(prompts)}
	for _, m := range candidates {
		sim.Models = append(sim.Models, m.ID)
	}

	bar := progress.New(progressTo, int64(len(prompts)*(1+len(modes))), "simulate")
	// Also when stopped short (Ctrl-C, an error): it then says where.
	defer bar.Finish()
	var unique []string
	// The gateway's router asks for the text its parser made of a body
	// (key); the router model reads the prompt's own text.
	textOf := map[string]string{}
	for _, p := range prompts {
		if _, seen := textOf[p.key]; !seen {
			textOf[p.key] = p.text
			unique = append(unique, p.key)
		}
	}
	for start := 0; start < len(unique); start += predictBatch {
		batch := unique[start:min(start+predictBatch, len(unique))]
		texts := make([]string, len(batch))
		for i, k := range batch {
			texts[i] = textOf[k]
		}
		preds, err := rm.predictor.Predict(ctx, texts)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		if len(preds) != len(batch) {
			return nil, fmt.Errorf("predict: %s for %s", counted(len(preds), "prediction", "predictions"), counted(len(batch), "prompt", "prompts"))
		}
		for i, p := range batch {
			cache[p] = preds[i]
		}
		bar.Add(int64(len(batch)))
	}
	bar.Add(int64(len(prompts) - len(unique)))

	sim.decisions = make([][]string, len(prompts))
	for i, p := range prompts {
		sim.decisions[i] = []string{p.where}
	}
	for _, mode := range modes {
		ms := modeSummary{Mode: mode}
		byModel := map[string]*modelShare{}
		var quality float64
		dep.Mode = mode
		gw := newGatewayDecider(rt, dep, providers)
		for i, p := range prompts {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			d, refused, err := gw.decide(p.body)
			bar.Add(1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.where, err)
			}
			if refused != nil {
				if !refused.unroutable() {
					return nil, fmt.Errorf("%s: %s", p.where, refused.message)
				}
				ms.Unroutable++
				ms.FirstError = cmp.Or(ms.FirstError, p.where+": "+refused.message)
				sim.decisions[i] = append(sim.decisions[i], "")
				continue
			}
			chosen := d.Candidates[slices.IndexFunc(d.Candidates, func(c openai.RouteCandidate) bool { return c.Model == d.ChosenModel })]
			s := byModel[d.ChosenModel]
			if s == nil {
				s = &modelShare{Model: d.ChosenModel}
				byModel[d.ChosenModel] = s
			}
			s.Prompts++
			s.ExpectedCostUSD += chosen.ExpectedCostUSD
			ms.Routed++
			ms.ExpectedCostUSD += chosen.ExpectedCostUSD
			quality += chosen.PredictedQuality
			sim.decisions[i] = append(sim.decisions[i], d.ChosenModel)
		}
		if ms.Routed > 0 {
			ms.MeanQuality = quality / float64(ms.Routed)
		}
		for _, s := range byModel {
			s.Share = float64(s.Prompts) / float64(len(prompts))
			ms.Shares = append(ms.Shares, *s)
		}
		slices.SortFunc(ms.Shares, func(a, b modelShare) int {
			return cmp.Or(cmp.Compare(b.Prompts, a.Prompts), cmp.Compare(a.Model, b.Model))
		})
		sim.Modes = append(sim.Modes, ms)
	}
	return sim, nil
}

// writeSimulationTable prints the shares and the totals per mode within a
// 120-column terminal: the deployment (up to 64 characters) and the router
// model (up to a 64-digit hash) on lines of their own, and a mode's first
// unroutable prompt, whose reason names every candidate, wrapped.
func writeSimulationTable(w io.Writer, sim *simulation) error {
	fmt.Fprintf(w, "%s, deployment %s\nrouter version %s, router model %s\n\n",
		counted(sim.Prompts, "prompt", "prompts"), sim.Deployment, sim.RouterVersion, cmp.Or(sim.RouterModel, "-"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "MODE\tMODEL\tPROMPTS\tSHARE\tEXPECTED $\t")
	for _, ms := range sim.Modes {
		for _, s := range ms.Shares {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f%%\t%.6f\t\n", ms.Mode, s.Model, s.Prompts, 100*s.Share, s.ExpectedCostUSD)
		}
		if ms.Unroutable > 0 {
			fmt.Fprintf(tw, "%s\t(no eligible model)\t%d\t%.1f%%\t-\t\n", ms.Mode, ms.Unroutable, 100*float64(ms.Unroutable)/float64(sim.Prompts))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "MODE\tEXPECTED $\t$ PER 1K PROMPTS\tMEAN PREDICTED QUALITY\t")
	for _, ms := range sim.Modes {
		per1k := 0.0
		if ms.Routed > 0 {
			per1k = 1000 * ms.ExpectedCostUSD / float64(ms.Routed)
		}
		fmt.Fprintf(tw, "%s\t%.6f\t%.4f\t%.3f\t\n", ms.Mode, ms.ExpectedCostUSD, per1k, ms.MeanQuality)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, ms := range sim.Modes {
		if ms.FirstError != "" {
			// Lines after the first indented, so each mode's message stands out.
			msg := fmt.Sprintf("%s: %s no eligible model, e.g. %s", ms.Mode, counted(ms.Unroutable, "prompt had", "prompts had"), ms.FirstError)
			for i, l := range wrapText(msg, tableWidth-2) {
				if i > 0 {
					l = "  " + l
				}
				fmt.Fprintln(w, l)
			}
		}
	}
	return nil
}

// simulationFiles are the files writeSimulationFiles writes into --out,
// summary.json first: simulate rewrites the folder an earlier simulate
// wrote, and refuses a router model's or another tool's files of these
// names.
var simulationFiles = outdir.Files{
	Command: "simulate",
	Names:   []string{"summary.json", "decisions.csv", "routing-share.png"},
	Mine:    isSimulationSummary,
	What:    "a simulate summary (a JSON object with deployment, prompts and modes)",
}

// isSimulationSummary reports whether b is a summary.json simulate wrote:
// a simulation's deployment, prompts and modes, there since simulate's
// first summary.
func isSimulationSummary(b []byte) bool {
	var s struct {
		Deployment *string            `json:"deployment"`
		Prompts    *int               `json:"prompts"`
		Modes      *[]json.RawMessage `json:"modes"`
	}
	return json.Unmarshal(b, &s) == nil && s.Deployment != nil && s.Prompts != nil && s.Modes != nil
}

func writeSimulationFiles(dir string, sim *simulation) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	summary, err := json.MarshalIndent(sim, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), append(summary, '\n'), 0o644); err != nil {
		return err
	}
	var table bytes.Buffer
	w := csv.NewWriter(&table) // a prompt file's name may hold a comma or a quote
	header := []string{"prompt"}
	for _, ms := range sim.Modes {
		header = append(header, string(ms.Mode))
	}
	_ = w.Write(header)
	_ = w.WriteAll(sim.decisions)
	if err := w.Error(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "decisions.csv"), table.Bytes(), 0o644); err != nil {
		return err
	}
	return shareChart(sim, filepath.Join(dir, "routing-share.png"))
}

// shareChart draws horizontal bars: per model, one bar per mode with the
// share of prompts that mode sends to it. Models no mode chose are left out
// (the title says how many), so a large catalog stays readable.
func shareChart(sim *simulation, path string) error {
	var models []string
	for _, m := range sim.Models {
		for _, ms := range sim.Modes {
			if slices.ContainsFunc(ms.Shares, func(s modelShare) bool { return s.Model == m }) {
				models = append(models, m)
				break
			}
		}
	}
	if len(models) == 0 {
		models = sim.Models
	}
	// The first model on top: gonum counts the Y axis upwards.
	slices.Reverse(models)
	p := plot.New()
	p.Title.Text = "Routing share per model, " + counted(sim.Prompts, "prompt", "prompts")
	if hidden := len(sim.Models) - len(models); hidden > 0 {
		p.Title.Text += " (" + counted(hidden, "model never chosen", "models never chosen") + " not shown)"
	}
	p.X.Label.Text = "share of prompts (%)"
	// Room on the right for the legend, with ticks only up to 100 %.
	p.X.Min, p.X.Max = 0, 130
	p.X.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 25, Label: "25"},
		{Value: 50, Label: "50"}, {Value: 75, Label: "75"}, {Value: 100, Label: "100"}})
	width := vg.Points(max(4, min(12, 36/float64(len(sim.Modes)))))
	for i, ms := range sim.Modes {
		values := make(plotter.Values, len(models))
		for j, m := range models {
			if k := slices.IndexFunc(ms.Shares, func(s modelShare) bool { return s.Model == m }); k >= 0 {
				values[j] = 100 * ms.Shares[k].Share
			}
		}
		bars, err := plotter.NewBarChart(values, width)
		if err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		bars.Horizontal = true
		bars.LineStyle.Width = 0
		bars.Color = modeColor(i)
		// Modes read top to bottom in their given order.
		bars.Offset = -vg.Length(float64(i)-float64(len(sim.Modes)-1)/2) * width
		p.Add(bars)
		p.Legend.Add(string(ms.Mode), bars)
	}
	p.Legend.Top = true
	p.NominalY(models...)
	p.Y.Min, p.Y.Max = -0.6, float64(len(models)-1)+0.6
	h := vg.Length(max(8, 0.35*float64(len(sim.Modes))*float64(len(models))+3)) * vg.Centimeter
	return p.Save(20*vg.Centimeter, h, path)
}

func modeColor(i int) color.Color { return plotutil.Color(i) }
